import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';

/** Everything the service reads from its environment, validated once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Port of the probe-only server (`/livez`, `/readyz`); none when undefined. */
  healthPort: number | undefined;
  /** The longest a process drains on SIGTERM before it exits. */
  shutdownTimeoutMs: number;
  /** Idle keep-alive of HTTP connections: above the load balancer's idle timeout. */
  keepAliveTimeoutMs: number;
  dataDir: string;
  /** PostgreSQL connection string; SQLite under `dataDir` when absent. */
  databaseUrl: string | undefined;
  /**
   * PostgreSQL connection string for sessions that must be one server session (LISTEN, migrations):
   * the writer when DATABASE_URL goes through a pooling proxy; `databaseUrl` when absent.
   */
  databaseListenUrl: string | undefined;
  /** PostgreSQL schema (search_path); the server's default when absent. */
  databaseSchema: string | undefined;
  /** Most PostgreSQL connections this process's query pool opens (LISTEN takes one more). */
  databasePoolSize: number;
  /** 32-byte key (hex or base64) for secrets at rest; a 0600 key file in `dataDir` when absent. */
  masterKey: string | undefined;
  /**
   * The master key wrapped by KMS (SECUREBASE_MASTER_KEY_WRAPPED, base64 ciphertext) and the KMS key
   * that unwraps it; `unwrapMasterKey` turns it into `masterKey` once at start.
   */
  wrappedMasterKey: { ciphertext: string; kmsKeyId: string } | undefined;
  /** Keys that sealed earlier values (SECUREBASE_MASTER_KEYS_PREVIOUS): they still open, never seal. */
  previousMasterKeys: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  publicUrl: string | undefined;
  /**
   * Which proxies' X-Forwarded-For/-Proto to believe: false (none), a hop count, or the proxies'
   * addresses and CIDRs. Passed to Fastify's `trustProxy`, so request.ip and protocol are the client's.
   */
  trustProxy: false | number | string[];
  sessionTtlHours: number;
  bodyLimitBytes: number;
  /** Largest ticket attachment (ATTACHMENT_MAX_BYTES); uploads are streamed, so this bounds disk, not memory. */
  attachmentMaxBytes: number;
  /** Largest billing export upload (COST_IMPORT_MAX_BYTES); spooled to disk, so this bounds disk, not memory. */
  costImportMaxBytes: number;
  corsOrigins: string[];
  rateLimitPerHour: Record<Tier, number>;
  webhooks: {
    allowHttp: boolean;
    allowPrivateCidrs: string[];
    attemptTimeoutMs: number;
    connectTimeoutMs: number;
    maxEndpointsPerTenant: number;
    disableAfterFailingDays: number;
  };
  workerConcurrency: number;
  /** Bearer token Prometheus must send to read `/metrics`; `/metrics` answers 404 when absent. */
  metricsToken: string | undefined;
  retentionDays: { webhookDeliveries: number; closedTickets: number; notifications: number; costForecasts: number };
  /** Resolved tickets close by themselves this many days after resolution (also the reopen window). */
  ticketAutoCloseDays: number;
  /** New tickets go round-robin to the agents marked available. */
  ticketRoundRobin: boolean;
  email: {
    /** smtp:// or smtps:// URL of the mail server; absent: each mail is written as an .eml file under `dataDir/mail`. */
    smtpUrl: string | undefined;
    /** The From header of every notification email. */
    from: string;
    /** Notification emails per user and type per hour; beyond it they are summarised in one digest. */
    ratePerHour: number;
  };
  /** `emf`: the worker prints the CloudWatch metrics (src/server/app-metrics.ts) as embedded-metric lines. */
  cloudwatchMetrics: 'off' | 'emf';
  notificationStream: {
    /** Comment lines sent on idle streams, below load balancers' idle timeouts (often 60 s). */
    heartbeatSeconds: number;
    /** Bytes a stream may have waiting for a slow client before it is closed (the client resumes). */
    queueBytes: number;
  };
}

export type Tier = 'standard' | 'fintech' | 'healthcare' | 'government';
export const TIERS: readonly Tier[] = ['standard', 'fintech', 'healthcare', 'government'];

/** One unusable variable and why; never its value. */
export interface ConfigProblem {
  variable: string;
  reason: string;
}

/** Configuration that cannot be used: every problem found, one line each, naming the variable. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(variable: string, reason: string);
  constructor(problems: readonly ConfigProblem[]);
  constructor(first: string | readonly ConfigProblem[], reason = '') {
    const problems = typeof first === 'string' ? [{ variable: first, reason }] : first;
    super(problems.map((problem) => `${problem.variable}: ${problem.reason}`).join('\n'));
    this.problems = problems;
  }

  /** The first variable named. */
  get variable(): string {
    return this.problems[0]?.variable ?? '';
  }
}

/**
 * One environment variable: its name, default and meaning. The one declaration behind `--help`,
 * the README's configuration reference (`npm run config:docs`) and the `<NAME>_FILE` variants of
 * secrets.
 */
export interface ConfigVariable {
  name: string;
  default: string;
  description: string;
  /** Never printed; may also be given as `<NAME>_FILE`, the path of a file holding the value. */
  secret?: true;
}

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'PORT', default: '8080', description: 'HTTP port for the API and portal' },
  { name: 'HOST', default: '0.0.0.0', description: 'Interface to listen on' },
  {
    name: 'HEALTH_PORT',
    default: '(unset: no probe server)',
    description:
      'Port of a small server answering only `/livez` and `/readyz`, in `worker` (and `serve`, beside PORT), so one health check fits every role; `--health-port` overrides it',
  },
  {
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: '30000',
    description:
      'On SIGTERM/SIGINT, the longest a process drains (requests, streams, running jobs) before it exits, 1000–120000; jobs unfinished by then are released to other workers',
  },
  {
    name: 'KEEP_ALIVE_TIMEOUT_MS',
    default: '65000',
    description:
      "Idle keep-alive time of HTTP connections, 1000–600000; keep it above the load balancer's idle timeout (60 s on AWS ALB) so the balancer, not the server, closes idle connections",
  },
  { name: 'SECUREBASE_DATA_DIR', default: './data', description: 'SQLite database and the generated master key file' },
  { name: 'DATABASE_URL', default: '(unset: SQLite)', description: 'PostgreSQL connection string', secret: true },
  {
    name: 'DATABASE_LISTEN_URL',
    default: '(DATABASE_URL)',
    description:
      'PostgreSQL connection string for LISTEN connections and `securebase migrate`: the writer itself when DATABASE_URL goes through a pooling proxy (RDS Proxy pins or refuses LISTEN)',
    secret: true,
  },
  { name: 'SECUREBASE_DB_SCHEMA', default: '(server default)', description: 'PostgreSQL schema to use' },
  {
    name: 'DATABASE_POOL_SIZE',
    default: '20',
    description:
      "Most PostgreSQL connections one process's query pool opens, 1–500 (LISTEN takes one more); processes × (pool + 1) must stay under the server's max_connections",
  },
  {
    name: 'SECUREBASE_MASTER_KEY',
    default: '(key file in data dir)',
    description: '32-byte key, hex or base64, encrypting secrets at rest',
    secret: true,
  },
  {
    name: 'SECUREBASE_MASTER_KEY_WRAPPED',
    default: '(unset)',
    description:
      'The master key wrapped by AWS KMS (base64 ciphertext of a 32-byte data key), unwrapped once at start with `SECUREBASE_KMS_KEY_ID`; instead of SECUREBASE_MASTER_KEY',
    secret: true,
  },
  {
    name: 'SECUREBASE_KMS_KEY_ID',
    default: '(unset)',
    description:
      'KMS key id or ARN that unwraps SECUREBASE_MASTER_KEY_WRAPPED; credentials and region come from the AWS SDK defaults (task role, `AWS_REGION`)',
  },
  {
    name: 'SECUREBASE_MASTER_KEYS_PREVIOUS',
    default: '(none)',
    description:
      'Comma-separated earlier master keys: values sealed under them still open (see `securebase admin rotate-master-key`)',
    secret: true,
  },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  {
    name: 'PUBLIC_URL',
    default: 'http://localhost:PORT',
    description: 'Base URL used in links (setup link, emails); `https://` also marks the session cookie `Secure`',
  },
  {
    name: 'TRUST_PROXY',
    default: 'false',
    description:
      'Proxies in front: false, a hop count (1 behind one load balancer) or comma-separated proxy CIDRs; sets the client address and scheme from `X-Forwarded-For`/`-Proto`',
  },
  { name: 'SESSION_TTL_HOURS', default: '24', description: 'Sliding session lifetime' },
  { name: 'BODY_LIMIT_BYTES', default: '1048576', description: 'Largest accepted JSON body (413 beyond)' },
  {
    name: 'ATTACHMENT_MAX_BYTES',
    default: '10485760',
    description: 'Largest ticket attachment (413 beyond); files live under `SECUREBASE_DATA_DIR/attachments`',
  },
  {
    name: 'COST_IMPORT_MAX_BYTES',
    default: '1073741824',
    description:
      'Largest billing export upload to `POST /v1/cost/import` (413 beyond, refused before more is written); spooled under `SECUREBASE_DATA_DIR/cost-imports` until its import job has read it',
  },
  { name: 'CORS_ORIGINS', default: '(none)', description: 'Comma-separated allowed origins; CORS is off when empty' },
  {
    name: 'RATE_LIMIT_PER_HOUR',
    default: 'standard=1000,fintech=5000,healthcare=5000,government=20000',
    description: 'Requests per hour per credential, by tier',
  },
  { name: 'WEBHOOK_ALLOW_HTTP', default: 'false', description: 'Allow plain http:// webhook URLs (development only)' },
  {
    name: 'WEBHOOK_ALLOW_PRIVATE_CIDRS',
    default: '(none)',
    description: 'Comma-separated CIDRs webhooks may reach, e.g. 127.0.0.0/8',
  },
  { name: 'WEBHOOK_TIMEOUT_MS', default: '15000', description: 'Per-attempt webhook timeout, 1000–30000' },
  { name: 'WEBHOOK_CONNECT_TIMEOUT_MS', default: '5000', description: 'Webhook connect timeout' },
  { name: 'WEBHOOK_MAX_ENDPOINTS', default: '20', description: 'Webhook endpoints per tenant' },
  { name: 'WEBHOOK_DISABLE_AFTER_DAYS', default: '5', description: 'Disable an endpoint failing this long' },
  {
    name: 'METRICS_TOKEN',
    default: '(unset: /metrics disabled)',
    description:
      'Bearer token (at least 16 characters) required to read `/metrics`; Prometheus sends it with its `authorization` setting. Unset, `/metrics` answers 404',
    secret: true,
  },
  { name: 'WORKER_CONCURRENCY', default: '64', description: 'Jobs a worker process runs at once' },
  {
    name: 'SMTP_URL',
    default: '(unset: `.eml` files under `SECUREBASE_DATA_DIR/mail`)',
    description:
      'Mail server for notification emails: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465` (TLS from the start); URL-encode special characters in the password',
    secret: true,
  },
  {
    name: 'MAIL_FROM',
    default: 'SecureBase <notifications@localhost>',
    description:
      'From of notification emails, `addr@domain` or `Name <addr@domain>` (a sender your provider has verified)',
  },
  {
    name: 'NOTIFICATION_EMAIL_RATE_LIMIT',
    default: '10',
    description:
      'Emails per user and notification type per hour; the rest are held back and sent as one digest when the hour frees up',
  },
  { name: 'RETENTION_WEBHOOK_DELIVERIES_DAYS', default: '30', description: 'Webhook delivery log retention' },
  {
    name: 'RETENTION_CLOSED_TICKETS_DAYS',
    default: '90',
    description: 'Closed tickets are deleted this long after closing (open ones never)',
  },
  {
    name: 'TICKET_AUTO_CLOSE_DAYS',
    default: '7',
    description: 'Resolved tickets close by themselves after this many days; until then a customer reply reopens them',
  },
  {
    name: 'TICKET_ROUND_ROBIN',
    default: 'false',
    description: 'Assign new tickets round-robin among the agents marked available',
  },
  {
    name: 'CLOUDWATCH_METRICS',
    default: 'off',
    description:
      '`emf`: the worker prints job backlog and webhook delivery figures once a minute as CloudWatch embedded-metric JSON lines on stdout (namespace SecureBase); `off`: it does not',
  },
  {
    name: 'RETENTION_NOTIFICATIONS_DAYS',
    default: '30',
    description: "Notifications are deleted this long after their last activity (the seed's TTL)",
  },
  {
    name: 'RETENTION_COST_FORECASTS_DAYS',
    default: '90',
    description: 'Cached cost forecasts are deleted this long after they were computed',
  },
  {
    name: 'NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS',
    default: '15',
    description:
      "Heartbeat comment interval of live notification streams (1–300), kept below load balancers' idle timeouts (60 s on AWS ALB, nginx `proxy_read_timeout`)",
  },
  {
    name: 'NOTIFICATIONS_STREAM_QUEUE_BYTES',
    default: '1048576',
    description:
      'Unsent bytes a live stream may hold for a slow client; beyond it the stream is closed and the client resumes with `Last-Event-ID`',
  },
];

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function cidrs(env: Env, name: string): string[] {
  const values = list(env, name);
  for (const value of values) {
    // The address and the prefix length are both checked here, so no later parser meets a bad value.
    const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(value);
    const family = match ? isIP(match[1] as string) : 0;
    if (!match || family === 0 || Number(match[2]) > (family === 4 ? 32 : 128)) {
      throw new ConfigError(name, `"${value}" is not a CIDR such as 127.0.0.0/8`);
    }
  }
  return values;
}

function trustProxy(env: Env): false | number | string[] {
  const raw = env.TRUST_PROXY?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true')
    throw new ConfigError(
      'TRUST_PROXY',
      "trusting every sender lets clients forge their address; give a hop count (e.g. 1) or the proxies' CIDRs",
    );
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) throw new ConfigError('TRUST_PROXY', `must be at most 10 hops, got ${hops}`);
    return hops;
  }
  const entries = list(env, 'TRUST_PROXY');
  for (const entry of entries) {
    const valid = entry.includes('/') ? isCidr(entry) : ipaddr.isValid(entry);
    if (!valid)
      throw new ConfigError(
        'TRUST_PROXY',
        `"${entry}" is neither false, a hop count, nor an address or CIDR such as 10.0.0.0/8`,
      );
  }
  return entries;
}

function isCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

function rateLimits(env: Env): Record<Tier, number> {
  const limits: Record<Tier, number> = { standard: 1000, fintech: 5000, healthcare: 5000, government: 20000 };
  for (const entry of list(env, 'RATE_LIMIT_PER_HOUR')) {
    const [tier, value] = entry.split('=');
    if (!tier || !TIERS.includes(tier as Tier) || !value || !/^\d+$/.test(value)) {
      throw new ConfigError('RATE_LIMIT_PER_HOUR', `"${entry}" must look like standard=1000`);
    }
    limits[tier as Tier] = Number(value);
  }
  return limits;
}

/** An smtp:// or smtps:// URL with a host, or undefined when unset. The value is never quoted: it holds a password. */
function smtpUrl(env: Env): string | undefined {
  const raw = env.SMTP_URL?.trim() || undefined;
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw))
    throw new ConfigError('SMTP_URL', 'is not a URL such as smtp://user:pass@smtp.example.com:587');
  const url = new URL(raw);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new ConfigError('SMTP_URL', `must start with smtp:// or smtps://, got ${url.protocol}//`);
  if (!url.hostname) throw new ConfigError('SMTP_URL', 'names no host');
  return raw;
}

/** `addr@domain` or `Display Name <addr@domain>`. */
const MAIL_FROM_PATTERN = /^(?:[^<>\r\n]*<[^\s@<>]+@[A-Za-z0-9.-]+>|[^\s@<>]+@[A-Za-z0-9.-]+)$/;

function mailFrom(env: Env): string {
  const raw = env.MAIL_FROM?.trim() || 'SecureBase <notifications@localhost>';
  if (!MAIL_FROM_PATTERN.test(raw))
    throw new ConfigError('MAIL_FROM', `"${raw}" is not an address such as SecureBase <notifications@example.com>`);
  return raw;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function logLevel(env: Env): Config['logLevel'] {
  const value = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!LOG_LEVELS.includes(value as Config['logLevel']))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  return value as Config['logLevel'];
}

function databaseUrl(env: Env): string | undefined {
  const value = env.DATABASE_URL?.trim() || undefined;
  if (value && !/^postgres(ql)?:\/\//.test(value))
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  return value;
}

function databaseListenUrl(env: Env): string | undefined {
  const value = env.DATABASE_LISTEN_URL?.trim() || undefined;
  if (value === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(value))
    throw new ConfigError('DATABASE_LISTEN_URL', 'must be a postgres:// or postgresql:// URL');
  if (!env.DATABASE_URL?.trim()) throw new ConfigError('DATABASE_LISTEN_URL', 'is set without DATABASE_URL');
  return value;
}

function databaseSchema(env: Env): string | undefined {
  const value = env.SECUREBASE_DB_SCHEMA?.trim() || undefined;
  if (value && !/^[a-z_][a-z0-9_]{0,62}$/.test(value))
    throw new ConfigError('SECUREBASE_DB_SCHEMA', 'must be a lower-case SQL identifier');
  return value;
}

function masterKey(env: Env): string | undefined {
  const value = env.SECUREBASE_MASTER_KEY?.trim() || undefined;
  if (value && decodeKey(value) === undefined)
    throw new ConfigError('SECUREBASE_MASTER_KEY', 'must be 32 bytes as 64 hex characters or base64');
  return value;
}

function wrappedMasterKey(env: Env): Config['wrappedMasterKey'] {
  const ciphertext = env.SECUREBASE_MASTER_KEY_WRAPPED?.trim() || undefined;
  const kmsKeyId = env.SECUREBASE_KMS_KEY_ID?.trim() || undefined;
  if (ciphertext === undefined) {
    if (kmsKeyId) throw new ConfigError('SECUREBASE_KMS_KEY_ID', 'is set without SECUREBASE_MASTER_KEY_WRAPPED');
    return undefined;
  }
  if (env.SECUREBASE_MASTER_KEY?.trim())
    throw new ConfigError(
      'SECUREBASE_MASTER_KEY_WRAPPED',
      'SECUREBASE_MASTER_KEY is set as well; set only one of them',
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertext))
    throw new ConfigError('SECUREBASE_MASTER_KEY_WRAPPED', 'must be base64 (the CiphertextBlob KMS returned)');
  if (!kmsKeyId)
    throw new ConfigError('SECUREBASE_MASTER_KEY_WRAPPED', 'needs SECUREBASE_KMS_KEY_ID, the KMS key that unwraps it');
  return { ciphertext, kmsKeyId };
}

function cloudwatchMetrics(env: Env): Config['cloudwatchMetrics'] {
  const value = env.CLOUDWATCH_METRICS?.trim().toLowerCase() || 'off';
  if (value !== 'off' && value !== 'emf')
    throw new ConfigError('CLOUDWATCH_METRICS', `must be off or emf, got "${env.CLOUDWATCH_METRICS}"`);
  return value;
}

function previousMasterKeys(env: Env): string[] {
  const keys = list(env, 'SECUREBASE_MASTER_KEYS_PREVIOUS');
  keys.forEach((key, index) => {
    // The message names the entry by position: a key never appears in output.
    if (decodeKey(key) === undefined) {
      const reason = `entry ${index + 1} must be 32 bytes as 64 hex characters or base64`;
      throw new ConfigError('SECUREBASE_MASTER_KEYS_PREVIOUS', reason);
    }
  });
  return keys;
}

function publicUrl(env: Env): string | undefined {
  const value = env.PUBLIC_URL?.trim() || undefined;
  if (value && !URL.canParse(value)) throw new ConfigError('PUBLIC_URL', `"${value}" is not a URL`);
  return value;
}

function corsOrigins(env: Env): string[] {
  const origins = list(env, 'CORS_ORIGINS');
  for (const origin of origins) {
    if (origin === '*' || !URL.canParse(origin))
      throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin such as https://portal.example.com`);
  }
  return origins;
}

function metricsToken(env: Env): string | undefined {
  const value = env.METRICS_TOKEN?.trim() || undefined;
  if (value !== undefined && !/^[\x21-\x7e]{16,}$/.test(value))
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 printable characters without spaces');
  return value;
}

function healthPort(env: Env): number | undefined {
  const raw = env.HEALTH_PORT?.trim();
  return raw ? integer(env, 'HEALTH_PORT', 0, 1, 65535) : undefined;
}

/**
 * The environment with each secret given as `<NAME>_FILE` (Docker and Kubernetes secrets, mounted
 * files) read into `<NAME>`; one trailing newline is dropped, as editors and `echo` add one.
 */
function withSecretFiles(env: Env, problems: ConfigProblem[]): Env {
  // Values from files shadow the environment; everything else is read through to it.
  const resolved: Env = Object.create(env) as Env;
  for (const { name } of CONFIG_VARIABLES.filter((variable) => variable.secret)) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) {
      problems.push({ variable: `${name}_FILE`, reason: `${name} is set as well; set only one of them` });
      continue;
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push({ variable: `${name}_FILE`, reason: `cannot read ${file} (${reason})` });
    }
  }
  return resolved;
}

/**
 * Reads and validates the configuration. Throws one {@link ConfigError} listing every bad
 * variable, so an operator fixes them in one round; no message contains a secret's value.
 */
export function loadConfig(rawEnv: Env = process.env): Config {
  const problems: ConfigProblem[] = [];
  const env = withSecretFiles(rawEnv, problems);
  /** The parsed value, or the fallback with the problem noted. */
  const read = <T>(parse: (env: Env) => T, fallback: T): T => {
    try {
      return parse(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return fallback;
    }
  };
  const int = (name: string, fallback: number, min: number, max: number) =>
    read((e) => integer(e, name, fallback, min, max), fallback);
  const bool = (name: string, fallback: boolean) => read((e) => boolean(e, name, fallback), fallback);
  const config: Config = {
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    healthPort: read(healthPort, undefined),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 30_000, 1_000, 120_000),
    keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 600_000),
    dataDir: resolve(env.SECUREBASE_DATA_DIR?.trim() || './data'),
    databaseUrl: read(databaseUrl, undefined),
    databaseListenUrl: read(databaseListenUrl, undefined),
    databaseSchema: read(databaseSchema, undefined),
    databasePoolSize: int('DATABASE_POOL_SIZE', 20, 1, 500),
    masterKey: read(masterKey, undefined),
    wrappedMasterKey: read(wrappedMasterKey, undefined),
    previousMasterKeys: read(previousMasterKeys, []),
    logLevel: read(logLevel, 'info'),
    publicUrl: read(publicUrl, undefined),
    trustProxy: read(trustProxy, false),
    sessionTtlHours: int('SESSION_TTL_HOURS', 24, 1, 24 * 90),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    attachmentMaxBytes: int('ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    costImportMaxBytes: int('COST_IMPORT_MAX_BYTES', 1024 * 1024 * 1024, 1, 64 * 1024 * 1024 * 1024),
    corsOrigins: read(corsOrigins, []),
    rateLimitPerHour: read(rateLimits, rateLimits({})),
    webhooks: {
      allowHttp: bool('WEBHOOK_ALLOW_HTTP', false),
      allowPrivateCidrs: read((e) => cidrs(e, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'), []),
      attemptTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 15000, 1000, 30000),
      connectTimeoutMs: int('WEBHOOK_CONNECT_TIMEOUT_MS', 5000, 100, 30000),
      maxEndpointsPerTenant: int('WEBHOOK_MAX_ENDPOINTS', 20, 1, 1000),
      disableAfterFailingDays: int('WEBHOOK_DISABLE_AFTER_DAYS', 5, 1, 60),
    },
    workerConcurrency: int('WORKER_CONCURRENCY', 64, 1, 1024),
    metricsToken: read(metricsToken, undefined),
    retentionDays: {
      webhookDeliveries: int('RETENTION_WEBHOOK_DELIVERIES_DAYS', 30, 1, 3650),
      closedTickets: int('RETENTION_CLOSED_TICKETS_DAYS', 90, 1, 3650),
      notifications: int('RETENTION_NOTIFICATIONS_DAYS', 30, 1, 3650),
      costForecasts: int('RETENTION_COST_FORECASTS_DAYS', 90, 1, 3650),
    },
    ticketAutoCloseDays: int('TICKET_AUTO_CLOSE_DAYS', 7, 1, 365),
    ticketRoundRobin: bool('TICKET_ROUND_ROBIN', false),
    email: {
      smtpUrl: read(smtpUrl, undefined),
      from: read(mailFrom, 'SecureBase <notifications@localhost>'),
      ratePerHour: int('NOTIFICATION_EMAIL_RATE_LIMIT', 10, 1, 10_000),
    },
    cloudwatchMetrics: read(cloudwatchMetrics, 'off'),
    notificationStream: {
      heartbeatSeconds: int('NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS', 15, 1, 300),
      queueBytes: int('NOTIFICATIONS_STREAM_QUEUE_BYTES', 1024 * 1024, 4096, 64 * 1024 * 1024),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Decodes a 32-byte key given as hex or base64; undefined when it is neither. */
export function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/** Where sessions that must be one server session go (LISTEN, migrations): DATABASE_LISTEN_URL, else DATABASE_URL. */
export function listenDatabaseUrl(config: Pick<Config, 'databaseUrl' | 'databaseListenUrl'>): string | undefined {
  return config.databaseListenUrl ?? config.databaseUrl;
}
