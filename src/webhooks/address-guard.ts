/**
 * IP address vetting for outbound webhook connections (the address half of the SSRF guard).
 *
 * Fail closed: an address is only acceptable when it is globally routable unicast. IPv6 must sit in
 * 2000::/3 outside every special-purpose block; forms that embed an IPv4 address (IPv4-mapped,
 * 6to4, NAT64 well-known prefix) are judged by the IPv4 address they carry. Operators may allow
 * listed CIDRs explicitly (e.g. `127.0.0.0/8` for local development and tests).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;
type Cidr = [IPv4 | IPv6, number];

/** Why an address was refused; stable strings suitable for logs and API error details. */
export type AddressBlockReason =
  | 'invalid'
  | 'unspecified'
  | 'broadcast'
  | 'multicast'
  | 'linkLocal'
  | 'loopback'
  | 'carrierGradeNat'
  | 'private'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'metadata'
  | 'uniqueLocal'
  | 'siteLocal'
  | 'ipv4Compatible'
  | 'ipv4Embedded'
  | 'nat64LocalUse'
  | 'teredo'
  | 'notGlobalUnicast';

/** Outcome of vetting one or more addresses: the first refused address explains the verdict. */
export type AddressVerdict = { ok: true } | { ok: false; address: string; reason: AddressBlockReason; message: string };

/** Named blocks checked before ipaddr.js's generic classes, so logs say *why* precisely. */
const NAMED_BLOCKS: ReadonlyArray<readonly [string, AddressBlockReason]> = [
  // Cloud metadata services: AWS/GCP/Azure/OpenStack, AWS IPv6 IMDS, Alibaba, Azure wireserver.
  ['169.254.169.254/32', 'metadata'],
  ['fd00:ec2::254/128', 'metadata'],
  ['100.100.100.200/32', 'metadata'],
  ['168.63.129.16/32', 'metadata'],
  // Documentation (RFC 5737, RFC 3849, RFC 9637) and benchmarking (RFC 2544, RFC 5180).
  ['192.0.2.0/24', 'documentation'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['198.18.0.0/15', 'benchmarking'],
  ['2001:2::/48', 'benchmarking'],
  // NAT64 local-use prefix (RFC 8215): translator is site-specific, embedding length unknown.
  ['64:ff9b:1::/48', 'nat64LocalUse'],
];

const PARSED_NAMED_BLOCKS: ReadonlyArray<readonly [Cidr, AddressBlockReason]> = NAMED_BLOCKS.map(
  ([cidr, reason]) => [ipaddr.parseCIDR(cidr), reason] as const,
);

const GLOBAL_UNICAST_V6: Cidr = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN: Cidr = ipaddr.parseCIDR('64:ff9b::/96');
/** Deprecated IPv4-compatible IPv6 (::a.b.c.d, RFC 4291 §2.5.5.1); `::` and `::1` are named first. */
const IPV4_COMPATIBLE: Cidr = ipaddr.parseCIDR('::/96');

/** ipaddr.js range names that map one-to-one onto our reasons. */
const RANGE_REASONS: Readonly<Record<string, AddressBlockReason>> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'linkLocal',
  loopback: 'loopback',
  carrierGradeNat: 'carrierGradeNat',
  private: 'private',
  uniqueLocal: 'uniqueLocal',
  deprecatedSiteLocal: 'siteLocal',
  teredo: 'teredo',
  benchmarking: 'benchmarking',
};

function inCidr(addr: IPv4 | IPv6, [net, bits]: Cidr): boolean {
  return addr.kind() === net.kind() && addr.match(net, bits);
}

/**
 * Parses one allow-list entry (`a.b.c.d/n`, `x::/n`, or a bare address meaning a single host).
 * Throws on malformed input: a bad operator setting should stop start-up, not silently widen access.
 */
export function parseCidr(entry: string): Cidr {
  const text = entry.trim();
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const addr = ipaddr.parse(text);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** The part of the network policy (policy.ts) that decides about addresses. */
export interface AddressPolicy {
  /** CIDRs (or single addresses) allowed although not globally routable. */
  readonly allowPrivateCidrs: readonly string[];
}

const allowCache = new WeakMap<readonly string[], Cidr[]>();

/** Parsed allow-list, cached per policy array; malformed entries are ignored here (fail closed). */
function allowedCidrs(policy: AddressPolicy): Cidr[] {
  const list = policy.allowPrivateCidrs;
  let parsed = allowCache.get(list);
  if (!parsed) {
    parsed = [];
    for (const entry of list) {
      try {
        parsed.push(parseCidr(entry));
      } catch {
        // ignored: validated at configuration time by parseCidr/policyFromConfig
      }
    }
    allowCache.set(list, parsed);
  }
  return parsed;
}

function classifyV4(addr: IPv4): AddressBlockReason | null {
  for (const [cidr, reason] of PARSED_NAMED_BLOCKS) if (inCidr(addr, cidr)) return reason;
  const range = addr.range();
  if (range === 'unicast') return null;
  return RANGE_REASONS[range] ?? 'reserved';
}

function embeddedV4(addr: IPv6, offsetBytes: number): IPv4 {
  const bytes = addr.toByteArray().slice(offsetBytes, offsetBytes + 4);
  return new ipaddr.IPv4(bytes);
}

function classifyV6(addr: IPv6): AddressBlockReason | null {
  if (addr.isIPv4MappedAddress()) {
    return classifyV4(addr.toIPv4Address()) === null ? null : 'ipv4Embedded';
  }
  if (inCidr(addr, NAT64_WELL_KNOWN)) {
    return classifyV4(embeddedV4(addr, 12)) === null ? null : 'ipv4Embedded';
  }
  for (const [cidr, reason] of PARSED_NAMED_BLOCKS) if (inCidr(addr, cidr)) return reason;
  const range = addr.range();
  if (range === '6to4') {
    return classifyV4(embeddedV4(addr, 2)) === null ? null : 'ipv4Embedded';
  }
  if (range !== 'unicast') return RANGE_REASONS[range] ?? 'reserved';
  if (inCidr(addr, IPV4_COMPATIBLE)) return 'ipv4Compatible';
  return inCidr(addr, GLOBAL_UNICAST_V6) ? null : 'notGlobalUnicast';
}

function isAllowed(addr: IPv4 | IPv6, allow: Cidr[]): boolean {
  if (allow.length === 0) return false;
  // An IPv4-mapped address is a socket to the IPv4 address; the IPv4 allow-list applies to it.
  const candidates: Array<IPv4 | IPv6> = [addr];
  if (addr.kind() === 'ipv6' && (addr as IPv6).isIPv4MappedAddress()) {
    candidates.push((addr as IPv6).toIPv4Address());
  }
  return candidates.some((c) => allow.some((cidr) => inCidr(c, cidr)));
}

/**
 * Vets one address: ok only if globally routable or inside an operator-allowed CIDR.
 * Unparseable text is refused (`invalid`), never guessed at.
 */
export function vetAddress(address: string, policy: AddressPolicy): AddressVerdict {
  const text = address.replace(/^\[(.*)\]$/, '$1');
  let addr: IPv4 | IPv6;
  try {
    // Only canonical socket-level forms (what DNS and the URL parser produce); ipaddr.js alone
    // would also accept shorthand like "0x7f.1".
    if (isIP(text) === 0) throw new Error('not an IP');
    addr = ipaddr.parse(text);
  } catch {
    return { ok: false, address, reason: 'invalid', message: `"${address}" is not an IP address` };
  }
  // ipaddr.js reads "::a.b.c.d" as IPv4-mapped; on the wire it is the IPv4-compatible ::a.b.c.d.
  if (/^::\d+\.\d+\.\d+\.\d+$/.test(text)) {
    return blocked(address, 'ipv4Compatible');
  }
  if (isAllowed(addr, allowedCidrs(policy))) return { ok: true };
  const reason = addr.kind() === 'ipv4' ? classifyV4(addr as IPv4) : classifyV6(addr as IPv6);
  return reason === null ? { ok: true } : blocked(address, reason);
}

function blocked(address: string, reason: AddressBlockReason): AddressVerdict {
  return { ok: false, address, reason, message: `address ${address} is not globally routable (${reason})` };
}

/**
 * Vets every address a hostname resolved to. Refuses if ANY is not acceptable: a resolver can
 * mix one public and one private answer, and the connecting side would pick either (DNS rebinding).
 * An empty list is refused too: there is nothing safe to connect to.
 */
export function vetAddresses(addresses: readonly string[], policy: AddressPolicy): AddressVerdict {
  if (addresses.length === 0) {
    return { ok: false, address: '', reason: 'invalid', message: 'no addresses to connect to' };
  }
  for (const address of addresses) {
    const verdict = vetAddress(address, policy);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}
