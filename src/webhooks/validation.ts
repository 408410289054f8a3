/**
 * Checks of endpoint input beyond the schema, each naming its field: URL (SSRF guard, also on the
 * resolved addresses), event filter, custom headers, retry schedule.
 */
import { lookup } from 'node:dns/promises';
import { invalidField } from '../errors/app-error.ts';
import { vetAddresses } from './address-guard.ts';
import { isCatalogType } from './catalog.ts';
import type { WebhookNetworkPolicy } from './policy.ts';
import { validateSchedule } from './retry-schedule.ts';
import { bareHostname, isIpLiteralHost, vetWebhookUrl } from './url-guard.ts';
import { assertOutsideTransaction } from '../database/transaction-guard.ts';

/** Resolver used at registration (injectable for tests). */
export type Resolve = (host: string) => Promise<string[]>;

const systemResolve: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Vets a URL at registration: the pure guard, then every address the name resolves to. A name
 * that does not resolve (yet) is accepted; every attempt checks again.
 */
export async function checkUrl(
  url: string,
  policy: WebhookNetworkPolicy,
  resolve: Resolve = systemResolve,
): Promise<string> {
  const verdict = vetWebhookUrl(url, policy);
  if (!verdict.ok) throw invalidField('url', verdict.message);
  assertOutsideTransaction('a DNS lookup');
  if (!isIpLiteralHost(verdict.url.hostname)) {
    const host = bareHostname(verdict.url);
    let addresses: string[];
    try {
      addresses = await Promise.race([
        resolve(host),
        new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 2_000).unref()),
      ]);
    } catch {
      addresses = [];
    }
    if (addresses.length > 0) {
      const vetted = vetAddresses(addresses, policy);
      if (!vetted.ok) throw invalidField('url', `${host} resolves to a blocked address: ${vetted.message}`);
    }
  }
  return verdict.url.toString();
}

/** Validates and normalises the event filter: catalog types (deduplicated) or exactly `["*"]`. */
export function checkEvents(events: readonly string[]): string[] {
  const unique = [...new Set(events)];
  if (unique.length === 0) throw invalidField('events', 'must list at least one event type');
  if (unique.includes('*')) {
    if (unique.length > 1) throw invalidField('events', '"*" cannot be combined with other types');
    return ['*'];
  }
  const unknown = unique.filter((t) => !isCatalogType(t));
  if (unknown.length > 0)
    throw invalidField(
      'events',
      `unknown event type ${unknown.map((t) => JSON.stringify(t)).join(', ')} (see GET /v1/webhooks/event-types)`,
    );
  return unique;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED = new Set([
  'host',
  'content-type',
  'content-length',
  'user-agent',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
  'cookie',
]);

/** Validates custom headers: at most 10, token names, none of ours, no control characters. */
export function checkHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(headers);
  if (entries.length > 10) throw invalidField('headers', 'at most 10 custom headers');
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw invalidField('headers', `${JSON.stringify(name)} is not a valid header name`);
    if (RESERVED.has(lower) || lower.startsWith('webhook-') || lower.startsWith('x-securebase-'))
      throw invalidField('headers', `${name} is set by SecureBase and cannot be overridden`);
    if (/[\0\r\n]/.test(value)) throw invalidField('headers', `${name} has control characters in its value`);
    out[lower] = value;
  }
  return out;
}

/** Validates a schedule given in seconds; returns it in ms. */
export function checkSchedule(seconds: readonly number[]): number[] {
  const ms = seconds.map((s) => s * 1000);
  const problem = validateSchedule(ms);
  if (problem) throw invalidField('retry_schedule_seconds', problem);
  return ms;
}
