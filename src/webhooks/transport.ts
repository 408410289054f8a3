/**
 * One outbound webhook HTTP attempt, hardened against hostile receivers.
 *
 * Vet the URL → resolve the host → vet EVERY address → connect only to the vetted address (DNS
 * pinning; Host and SNI keep the name) → POST the exact body bytes → read at most
 * `maxResponseBytes` of the answer and drop the connection if more is coming. Redirects are never
 * followed. One deadline covers DNS, connect, headers and body, so a receiver that trickles bytes
 * is still cut off. The function never throws: every failure becomes an error class.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { vetAddresses } from './address-guard.ts';
import { bareHostname, isIpLiteralHost, vetWebhookUrl } from './url-guard.ts';
import { PinnedPools } from './pinned-pools.ts';
import type { PinnedPoolOptions } from './pinned-pools.ts';
import type { DeliveryErrorClass } from './error-class.ts';
import type { WebhookNetworkPolicy } from './policy.ts';
import { assertOutsideTransaction } from '../database/transaction-guard.ts';

/** Default per-attempt deadline (spec: 15 s, configurable 1–30 s). */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Default connect deadline (spec: 5 s). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** How much of a response body is kept for the delivery log. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4096;

/** One attempt to send; `headers` are already signed (see `deliveryHeaders`). */
export interface SendAttemptInput {
  url: string | URL;
  bodyBytes: Buffer | Uint8Array | string;
  headers: Readonly<Record<string, string>>;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  policy: WebhookNetworkPolicy;
  maxResponseBytes?: number;
}

/** What the delivery log stores about an attempt. */
export interface AttemptResult {
  /** True only for a 2xx answer received completely within the deadline. */
  ok: boolean;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** First `maxResponseBytes` of the body, decoded as UTF-8 ('' when none). */
  responseBody: string;
  /** True when the body was longer than what we kept (the connection was then dropped). */
  responseTruncated?: boolean;
  durationMs: number;
  /** The vetted address the socket was pinned to. */
  remoteAddress?: string;
  errorClass?: DeliveryErrorClass;
  errorMessage?: string;
}

/** Resolver signature (`dns.promises.lookup(host, {all: true})`); injectable for tests. */
export type LookupAll = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

/** Transport construction options: pool tuning plus an injectable resolver. */
export interface TransportOptions extends PinnedPoolOptions {
  lookup?: LookupAll;
}

/** Headers the transport owns; a caller-supplied value would break framing or pinning. */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\0\r\n]/;

const TIMEOUT = Symbol('timeout');

/**
 * Sends webhook attempts through pinned keep-alive pools. Create one per process (or use
 * `sendAttempt`) and `close()` it on shutdown.
 */
export class WebhookTransport {
  private readonly pools: PinnedPools;
  private readonly lookup: LookupAll;

  constructor(options: TransportOptions = {}) {
    this.pools = new PinnedPools(options);
    this.lookup = options.lookup ?? ((host) => dnsLookup(host, { all: true }));
  }

  /** Live pinned pools (metrics, tests). */
  get poolCount(): number {
    return this.pools.size;
  }

  /** Performs one attempt; never throws, except when called inside a database transaction (a bug). */
  async send(input: SendAttemptInput): Promise<AttemptResult> {
    assertOutsideTransaction('a webhook HTTP request');
    const started = performance.now();
    const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(TIMEOUT), timeoutMs);
    const finish = (
      r: Omit<AttemptResult, 'durationMs' | 'responseBody'> & { responseBody?: string },
    ): AttemptResult => ({
      responseBody: '',
      ...r,
      durationMs: performance.now() - started,
    });
    try {
      return finish(await this.attempt(input, timeoutMs, abort.signal));
    } catch (err) {
      if (abort.signal.aborted)
        return finish({
          ok: false,
          errorClass: 'timeout',
          errorMessage: `no complete response within ${timeoutMs} ms`,
        });
      return finish({ ok: false, ...classifyError(err) });
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(
    input: SendAttemptInput,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Omit<AttemptResult, 'durationMs'>> {
    const verdict = vetWebhookUrl(String(input.url), input.policy);
    if (!verdict.ok) return { ok: false, responseBody: '', errorClass: 'blocked', errorMessage: verdict.message };
    const url = verdict.url;
    const headers = sanitiseHeaders(input.headers);
    if (typeof headers === 'string')
      return { ok: false, responseBody: '', errorClass: 'blocked', errorMessage: headers };

    const host = bareHostname(url);
    let addresses: string[];
    if (isIpLiteralHost(url.hostname)) {
      addresses = [host];
    } else {
      try {
        addresses = (await raceAbort(this.lookup(host), signal)).map((a) => a.address);
      } catch (err) {
        if (signal.aborted) throw err;
        return { ok: false, responseBody: '', errorClass: 'dns', errorMessage: describe(err) };
      }
      if (addresses.length === 0)
        return { ok: false, responseBody: '', errorClass: 'dns', errorMessage: `${host} has no addresses` };
    }
    const vetted = vetAddresses(addresses, input.policy);
    if (!vetted.ok)
      return { ok: false, responseBody: '', errorClass: 'blocked', errorMessage: `${host}: ${vetted.message}` };
    const address = addresses[0] as string;

    const pool = this.pools.get({
      origin: url.origin,
      servername: isIpLiteralHost(url.hostname) ? undefined : host,
      address,
      connectTimeoutMs: input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
    const res = await pool.request({
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers,
      body: typeof input.bodyBytes === 'string' ? Buffer.from(input.bodyBytes, 'utf8') : input.bodyBytes,
      signal,
      headersTimeout: timeoutMs + 1000, // backstops; our deadline fires first
      bodyTimeout: timeoutMs + 1000,
    });
    const status = res.statusCode;
    const responseHeaders = flattenHeaders(res.headers);
    const base = { status, responseHeaders, remoteAddress: address };
    let body: { text: string; truncated: boolean };
    try {
      body = await readCapped(res.body, input.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    } catch (err) {
      const errorClass = signal.aborted ? 'timeout' : classifyError(err).errorClass;
      const errorMessage = signal.aborted ? `response body not complete within ${timeoutMs} ms` : describe(err);
      return { ...base, ok: false, responseBody: '', errorClass, errorMessage };
    }
    const ok = status >= 200 && status < 300;
    return {
      ...base,
      ok,
      responseBody: body.text,
      ...(body.truncated ? { responseTruncated: true } : {}),
      ...(ok ? {} : { errorClass: 'http_status' as const, errorMessage: `receiver answered HTTP ${status}` }),
    };
  }

  /** Closes every pooled connection; pending attempts fail with 'connect'. */
  async close(): Promise<void> {
    await this.pools.close();
  }
}

/** Reads at most `max` bytes, then destroys the stream so the rest is never downloaded. */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  max: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > max) {
      truncated = true;
      break; // ends the iterator, which destroys the body and its socket
    }
  }
  if (truncated) body.destroy();
  return { text: Buffer.concat(chunks).subarray(0, max).toString('utf8'), truncated };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sanitiseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower)) continue;
    if (!TOKEN.test(name) || BAD_VALUE.test(value)) return `invalid request header ${JSON.stringify(name)}`;
    out[lower] = value;
  }
  return out;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ENODATA',
  'ESERVFAIL',
  'ENONAME',
  'ENOTIMP',
  'EREFUSED',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : '';
}

function describe(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 500);
}

/** Maps a low-level failure to the delivery vocabulary (exported for tests). */
export function classifyError(err: unknown): { errorClass: DeliveryErrorClass; errorMessage: string } {
  const code = errorCode(err);
  const errorMessage = describe(err);
  if (DNS_CODES.has(code)) return { errorClass: 'dns', errorMessage };
  if (TIMEOUT_CODES.has(code)) return { errorClass: 'timeout', errorMessage };
  if (/CERT|SSL|TLS|EPROTO/.test(code) || /certificate|ssl|tls/i.test(errorMessage))
    return { errorClass: 'tls', errorMessage };
  return { errorClass: 'connect', errorMessage };
}

let shared: WebhookTransport | undefined;

/** Sends one attempt through the process-wide transport (created on first use). */
export function sendAttempt(input: SendAttemptInput): Promise<AttemptResult> {
  shared ??= new WebhookTransport();
  return shared.send(input);
}

/** Closes the process-wide transport's connections (shutdown, end of tests). */
export async function closeSharedTransport(): Promise<void> {
  const t = shared;
  shared = undefined;
  await t?.close();
}
