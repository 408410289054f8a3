/**
 * The decisions behind every rate limit, free of storage and time: a window of `windowMs` opens at
 * a key's first hit and counts hits until it ends; the first hit after its end opens the next.
 */

/** A key's window as the store holds it: hits counted so far and when the window ends (epoch ms). */
export interface CountedWindow {
  count: number;
  endsMs: number;
}

/** The window after adding `amount` hits at `nowMs`: the stored one, or a new one once it has ended. */
export function addHits(stored: CountedWindow | null, amount: number, windowMs: number, nowMs: number): CountedWindow {
  if (stored === null || stored.endsMs <= nowMs) return { count: amount, endsMs: nowMs + windowMs };
  return { count: stored.count + amount, endsMs: stored.endsMs };
}

/** Milliseconds until a key with this window may be counted again under `limit`; 0 when it may now. */
export function retryAfterMs(stored: CountedWindow | null, limit: number, nowMs: number): number {
  if (stored === null || stored.endsMs <= nowMs || stored.count < limit) return 0;
  return stored.endsMs - nowMs;
}

/**
 * A process leases a slice of a key's quota from the shared store and spends it locally. The slice
 * is a tenth of what it last saw remaining, at most 100, at least 1: few store round trips while
 * plenty remains, and little left idle in other processes as the quota runs out.
 */
export const MAX_SLICE = 100;
const SLICE_SHARE = 10;

export function sliceToLease(limit: number, knownCount: number): number {
  return Math.max(1, Math.min(MAX_SLICE, Math.floor((limit - knownCount) / SLICE_SHARE)));
}

/**
 * The hits a lease of `asked` got, from the count the store returned after adding them: the store
 * adds unconditionally (one atomic statement), and only the part below `limit` is granted.
 */
export function grantedHits(countAfter: number, asked: number, limit: number): number {
  return Math.max(0, Math.min(asked, limit - (countAfter - asked)));
}

/** What one process holds of a key's current window. */
export interface Lease {
  /** Granted hits not yet spent by this process. */
  tokens: number;
  /** Hits granted to all processes as of this process's last lease (unspent tokens included). */
  granted: number;
  endsMs: number;
  /** The store refused part of the last lease: nothing more is to be had before `endsMs`. */
  exhausted: boolean;
}

/** A lease from the count the store returned for `asked` hits. */
export function leaseFrom(window: CountedWindow, asked: number, limit: number): Lease {
  const got = grantedHits(window.count, asked, limit);
  return { tokens: got, granted: Math.min(window.count, limit), endsMs: window.endsMs, exhausted: got < asked };
}

/** What to do with one request given this process's lease. */
export type Spend =
  { kind: 'allowed'; current: number; ttlMs: number } | { kind: 'refused'; ttlMs: number } | { kind: 'lease' };

/**
 * `allowed` spends a token (the caller decrements it); `current` is the hits counted in the window,
 * this one included, as far as this process knows. `refused` holds until the window ends.
 */
export function spend(lease: Lease | undefined, nowMs: number): Spend {
  if (lease === undefined || lease.endsMs <= nowMs) return { kind: 'lease' };
  const ttlMs = lease.endsMs - nowMs;
  if (lease.tokens > 0) return { kind: 'allowed', current: lease.granted - lease.tokens + 1, ttlMs };
  return lease.exhausted ? { kind: 'refused', ttlMs } : { kind: 'lease' };
}
