/**
 * SSRF guard for webhook URLs, pure (no DNS): syntax, scheme, credentials, port and host-name
 * rules, plus address vetting when the host is an IP literal. Run at registration and again at
 * every attempt; the transport then resolves the name and vets every address with `vetAddresses`.
 *
 * The WHATWG URL parser normalises decimal/octal/hex IPv4 forms (`http://2130706433/`,
 * `http://0x7f.1/`, `http://0177.0.0.1/`) to dotted quads, so literals are vetted after that
 * normalisation and cannot slip past as "names".
 */
import { vetAddresses } from './address-guard.ts';
import type { AddressBlockReason } from './address-guard.ts';
import type { WebhookNetworkPolicy } from './policy.ts';

export { vetAddress, vetAddresses, parseCidr } from './address-guard.ts';
export type { AddressBlockReason, AddressVerdict } from './address-guard.ts';
export { DEFAULT_WEBHOOK_POLICY, policyFromConfig } from './policy.ts';
export type { WebhookNetworkPolicy } from './policy.ts';

/** Why a URL was refused; `address` carries the address class in `addressReason`. */
export type UrlBlockReason = 'invalid_url' | 'too_long' | 'scheme' | 'credentials' | 'port' | 'hostname' | 'address';

/** Verdict shaped like a field validation error so routes can return it as-is. */
export type UrlVerdict =
  | { ok: true; url: URL }
  | {
      ok: false;
      field: 'url';
      reason: UrlBlockReason;
      addressReason?: AddressBlockReason;
      message: string;
    };

/** Longest URL accepted; longer ones are almost always abuse and bloat every log row. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Suffixes of names that only resolve inside a network (RFC 6761/6762/8375 and common private
 * zones, cloud-internal DNS such as `metadata.google.internal`).
 */
const RESERVED_NAME_SUFFIXES = [
  'localhost',
  'localdomain',
  'local',
  'internal',
  'intranet',
  'lan',
  'home',
  'corp',
  'private',
  'home.arpa',
  'in-addr.arpa',
  'ip6.arpa',
];

function fail(reason: UrlBlockReason, message: string, addressReason?: AddressBlockReason): UrlVerdict {
  return addressReason
    ? { ok: false, field: 'url', reason, addressReason, message }
    : { ok: false, field: 'url', reason, message };
}

/** True when the WHATWG-normalised host is an IP literal (dotted IPv4 or bracketed IPv6). */
export function isIpLiteralHost(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname);
}

/** Host name without a trailing root dot and IPv6 brackets: the form DNS and sockets expect. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '');
}

function portAllowed(url: URL, policy: WebhookNetworkPolicy): boolean {
  if (url.port === '') return true; // scheme default: 80 or 443
  const port = Number(url.port);
  return port === 80 || port === 443 || port >= 1024 || (policy.allowPorts ?? []).includes(port);
}

function reservedName(name: string): boolean {
  if (!name.includes('.')) return true; // single label: resolved through search domains
  return RESERVED_NAME_SUFFIXES.some((s) => name === s || name.endsWith(`.${s}`));
}

/**
 * Vets a webhook URL against the policy without touching the network.
 * Returns the parsed URL on success so callers never re-parse a different interpretation.
 */
export function vetWebhookUrl(input: string, policy: WebhookNetworkPolicy): UrlVerdict {
  if (input.length > MAX_WEBHOOK_URL_LENGTH) {
    return fail('too_long', `URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail('invalid_url', 'URL is not valid');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return fail(
      'scheme',
      policy.allowHttp
        ? 'URL must use http or https'
        : 'URL must use https (plain http only when the operator sets WEBHOOK_ALLOW_HTTP=true, for local development)',
    );
  }
  if (url.username !== '' || url.password !== '') {
    return fail('credentials', 'URL must not contain a user name or password');
  }
  if (!portAllowed(url, policy)) {
    return fail('port', `port ${url.port} is not allowed (use 80, 443 or 1024-65535)`);
  }
  const host = bareHostname(url);
  if (host === '') return fail('invalid_url', 'URL has no host');
  if (isIpLiteralHost(url.hostname)) {
    const verdict = vetAddresses([host], policy);
    if (!verdict.ok) return fail('address', `URL ${verdict.message}`, verdict.reason);
    return { ok: true, url };
  }
  if (reservedName(host) && !(policy.allowHostnames ?? []).includes(host)) {
    return fail('hostname', `host "${host}" is not a public domain name`);
  }
  return { ok: true, url };
}
