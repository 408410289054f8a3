import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';
import { withConfigReference } from './reference.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.webhooks.attemptTimeoutMs, 15000);
    assert.ok(config.dataDir.endsWith('/data'));
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SECUREBASE_MASTER_KEY: 'short' }, 'SECUREBASE_MASTER_KEY'],
    [{ WEBHOOK_ALLOW_HTTP: 'maybe' }, 'WEBHOOK_ALLOW_HTTP'],
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.1' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '999.0.0.0/8' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '10.0.0.0/33' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '::1/129' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_TIMEOUT_MS: '60000' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ RATE_LIMIT_PER_HOUR: 'gold=5' }, 'RATE_LIMIT_PER_HOUR'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ SMTP_URL: 'not a url' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'nobody' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'Name <a@b.c> extra' }, 'MAIL_FROM'],
    [{ NOTIFICATION_EMAIL_RATE_LIMIT: '0' }, 'NOTIFICATION_EMAIL_RATE_LIMIT'],
    [{ SECUREBASE_DB_SCHEMA: 'drop table;' }, 'SECUREBASE_DB_SCHEMA'],
    [{ SECUREBASE_MASTER_KEYS_PREVIOUS: `${'ab'.repeat(32)},not-a-key` }, 'SECUREBASE_MASTER_KEYS_PREVIOUS'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '11' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'loadbalancer' }, 'TRUST_PROXY'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: 'has a space in the middle' }, 'METRICS_TOKEN'],
    [{ SHUTDOWN_TIMEOUT_MS: '120001' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '999' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ HEALTH_PORT: '0' }, 'HEALTH_PORT'],
    [{ KEEP_ALIVE_TIMEOUT_MS: 'long' }, 'KEEP_ALIVE_TIMEOUT_MS'],
  ];
  for (const [env, variable] of bad) {
    it(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === variable && error.message.startsWith(`${variable}:`),
      );
    });
  }

  it('reads TRUST_PROXY as false, a hop count or proxy addresses and CIDRs', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).trustProxy, [
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
  });

  it('accepts valid overrides', () => {
    const config = loadConfig({
      PORT: '9090',
      SECUREBASE_MASTER_KEY: 'ab'.repeat(32),
      WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8, ::1/128',
      RATE_LIMIT_PER_HOUR: 'standard=10',
    });
    assert.equal(config.port, 9090);
    assert.deepEqual(config.webhooks.allowPrivateCidrs, ['127.0.0.0/8', '::1/128']);
    assert.equal(config.rateLimitPerHour.standard, 10);
    assert.equal(config.rateLimitPerHour.government, 20000);
  });

  it('reads previous master keys and names a bad one by position, never by value', () => {
    const keys = ['ab'.repeat(32), Buffer.alloc(32, 1).toString('base64')];
    assert.deepEqual(
      loadConfig({ SECUREBASE_MASTER_KEYS_PREVIOUS: ` ${keys[0]}, ${keys[1]} ` }).previousMasterKeys,
      keys,
    );
    assert.deepEqual(loadConfig({}).previousMasterKeys, []);
    const leaked = 'cd'.repeat(31);
    assert.throws(
      () => loadConfig({ SECUREBASE_MASTER_KEYS_PREVIOUS: `${keys[0]},${leaked}` }),
      (error: unknown) =>
        error instanceof ConfigError && error.message.includes('entry 2') && !error.message.includes(leaked),
    );
  });

  it('reports every bad variable at once, one problem each', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', TRUST_PROXY: 'true', WEBHOOK_ALLOW_HTTP: 'maybe' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.map((problem) => problem.variable).join() === 'PORT,LOG_LEVEL,TRUST_PROXY,WEBHOOK_ALLOW_HTTP' &&
        error.message.split('\n').length === 4,
    );
  });

  it('has runtime defaults within the load balancer contract', () => {
    const config = loadConfig({});
    assert.equal(config.shutdownTimeoutMs, 30_000);
    assert.equal(config.healthPort, undefined);
    assert.ok(config.keepAliveTimeoutMs > 60_000, "above AWS ALB's default idle timeout");
    assert.ok(config.notificationStream.heartbeatSeconds * 1000 < 60_000, 'heartbeats under that idle timeout');
    assert.equal(loadConfig({ HEALTH_PORT: '8081' }).healthPort, 8081);
  });

  it('reads DATABASE_LISTEN_URL only beside DATABASE_URL, and CLOUDWATCH_METRICS as off or emf', () => {
    const url = 'postgres://app@proxy/securebase';
    const writer = 'postgres://app@writer/securebase';
    assert.equal(loadConfig({ DATABASE_URL: url, DATABASE_LISTEN_URL: writer }).databaseListenUrl, writer);
    assert.throws(
      () => loadConfig({ DATABASE_LISTEN_URL: writer }),
      /DATABASE_LISTEN_URL: is set without DATABASE_URL/,
    );
    assert.equal(loadConfig({}).cloudwatchMetrics, 'off');
    assert.equal(loadConfig({ CLOUDWATCH_METRICS: 'EMF' }).cloudwatchMetrics, 'emf');
    assert.throws(() => loadConfig({ CLOUDWATCH_METRICS: 'statsd' }), /CLOUDWATCH_METRICS: must be off or emf/);
  });

  it('never quotes a secret in a problem', () => {
    const secrets = {
      DATABASE_URL: 'mysql://user:hunter2-database@db',
      DATABASE_LISTEN_URL: 'mysql://user:hunter2-listen@db',
      SECUREBASE_MASTER_KEY: 'hunter2-master-key',
      SECUREBASE_MASTER_KEY_WRAPPED: 'hunter2 wrapped',
      SECUREBASE_MASTER_KEYS_PREVIOUS: 'hunter2-previous',
      METRICS_TOKEN: 'hunter2 metrics',
      SMTP_URL: 'http://user:hunter2-smtp@mail',
    };
    assert.deepEqual(
      Object.keys(secrets).sort(),
      CONFIG_VARIABLES.filter((v) => v.secret)
        .map((v) => v.name)
        .sort(),
      'every secret variable is tried',
    );
    assert.throws(
      () => loadConfig(secrets),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 7 && !/hunter2/.test(error.message),
    );
  });

  it('reads every variable it declares, and only those (plus the secrets files)', () => {
    const read = new Set<string>();
    const env = new Proxy<Record<string, string | undefined>>(
      {},
      { get: (_target, name) => void (typeof name === 'string' && read.add(name)) },
    );
    loadConfig(env);
    const declared = CONFIG_VARIABLES.flatMap((v) => (v.secret ? [v.name, `${v.name}_FILE`] : [v.name]));
    assert.deepEqual([...read].sort(), declared.sort());
  });
});

describe('secrets from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'securebase-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads <NAME>_FILE for every secret, dropping one trailing newline', () => {
    const key = 'ab'.repeat(32);
    const config = loadConfig({
      DATABASE_URL_FILE: file('database-url', 'postgres://app:pa ss@db/app\n'),
      SECUREBASE_MASTER_KEY_FILE: file('master-key', `${key}\r\n`),
      SECUREBASE_MASTER_KEYS_PREVIOUS_FILE: file('previous', `${key}\n`),
      METRICS_TOKEN_FILE: file('metrics', 'a-metrics-token-0123\n'),
      SMTP_URL_FILE: file('smtp', 'smtp://user:secret@mail.example.com:587'),
    });
    assert.equal(config.databaseUrl, 'postgres://app:pa ss@db/app');
    assert.equal(config.masterKey, key);
    assert.deepEqual(config.previousMasterKeys, [key]);
    assert.equal(config.metricsToken, 'a-metrics-token-0123');
    assert.equal(config.email.smtpUrl, 'smtp://user:secret@mail.example.com:587');
  });

  it('refuses both forms at once, and a file it cannot read, naming the variable', () => {
    const path = file('token', 'a-metrics-token-0123');
    assert.throws(
      () =>
        loadConfig({
          METRICS_TOKEN: 'a-metrics-token-0123',
          METRICS_TOKEN_FILE: path,
          DATABASE_URL_FILE: join(dir, 'missing'),
        }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        error.problems.some((p) => p.variable === 'METRICS_TOKEN_FILE' && /set only one/.test(p.reason)) &&
        error.problems.some((p) => p.variable === 'DATABASE_URL_FILE' && /ENOENT/.test(p.reason)),
    );
  });

  it('validates a value read from a file like any other', () => {
    assert.throws(
      () => loadConfig({ SECUREBASE_MASTER_KEY_FILE: file('short-key', 'short\n') }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'SECUREBASE_MASTER_KEY',
    );
  });
});

describe('README', () => {
  it('holds the current configuration reference (regenerate with `npm run config:docs`)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(withConfigReference(readme), readme, 'the README table is stale: run `npm run config:docs`');
  });
});
