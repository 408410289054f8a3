import type { Clock } from '../config/clock.ts';
import type { WindowCounters } from '../rate-limits/counters.ts';
import { retryAfterMs } from '../rate-limits/window.ts';

/** At most `limit` attempts per key within a window of `windowMs` opened by the key's first attempt. */
export interface AttemptLimit {
  limit: number;
  windowMs: number;
}

export interface AttemptLimiter {
  /** Milliseconds until the key may try again; 0 when it may try now. */
  retryAfterMs(key: string): Promise<number>;
  /** Counts one attempt against the key. */
  record(key: string): Promise<void>;
  /** Forgets the key's attempts (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/**
 * Attempts counted in the shared rate-limit windows (rate-limits/counters.ts), so every API
 * process on one database throttles the same key. Each check and record is a store round trip:
 * attempts are rare and each hashes a password, and leasing (rate-limits/quota.ts) would blur
 * limits this small. Attempts in flight between a check and its record may pass together, as they
 * would within one process. `name` keeps the limiters' keys apart in the one store.
 */
export function createAttemptLimiter(
  name: string,
  { limit, windowMs }: AttemptLimit,
  counters: WindowCounters,
  clock: Clock,
): AttemptLimiter {
  const keyOf = (key: string) => `${name}:${key}`;
  return {
    async retryAfterMs(key) {
      return retryAfterMs(await counters.read(keyOf(key)), limit, clock().getTime());
    },
    async record(key) {
      await counters.add(keyOf(key), 1, windowMs, clock().getTime());
    },
    async reset(key) {
      await counters.forget(keyOf(key));
    },
  };
}
