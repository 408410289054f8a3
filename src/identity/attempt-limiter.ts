import type { Clock } from '../config/clock.ts';

/** At most `limit` attempts per key within any `windowMs`. */
export interface AttemptLimit {
  limit: number;
  windowMs: number;
}

export interface AttemptLimiter {
  /** Milliseconds until the key may try again; 0 when it may try now. */
  retryAfterMs(key: string): number;
  /** Counts one attempt against the key. */
  record(key: string): void;
  /** Forgets the key's attempts (e.g. after a successful login). */
  reset(key: string): void;
}

// Keys nobody retries are dropped in a sweep every this many writes, so memory stays bounded.
const SWEEP_EVERY = 1024;

/**
 * A sliding-window attempt counter in process memory. Each key keeps at most `limit` timestamps,
 * so an attacker cycling through keys costs at most `limit` numbers per key until the next sweep.
 */
export function createAttemptLimiter({ limit, windowMs }: AttemptLimit, clock: Clock): AttemptLimiter {
  const attempts = new Map<string, number[]>();
  let writes = 0;

  function recent(key: string, now: number): number[] {
    const times = attempts.get(key);
    if (!times) return [];
    const fresh = times.filter((time) => time > now - windowMs);
    if (fresh.length === 0) attempts.delete(key);
    else if (fresh.length !== times.length) attempts.set(key, fresh);
    return fresh;
  }

  function sweep(now: number): void {
    for (const key of [...attempts.keys()]) recent(key, now);
  }

  return {
    retryAfterMs(key) {
      const now = clock().getTime();
      const times = recent(key, now);
      if (times.length < limit) return 0;
      return (times[times.length - limit] as number) + windowMs - now;
    },
    record(key) {
      const now = clock().getTime();
      const times = [...recent(key, now), now].slice(-limit);
      attempts.set(key, times);
      writes += 1;
      if (writes % SWEEP_EVERY === 0) sweep(now);
    },
    reset(key) {
      attempts.delete(key);
    },
  };
}
