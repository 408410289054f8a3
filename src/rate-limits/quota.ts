import type { Clock } from '../config/clock.ts';
import type { WindowCounters } from './counters.ts';
import { leaseFrom, sliceToLease, spend } from './window.ts';
import type { Lease } from './window.ts';

/** The answer for one request: allowed or not, hits counted in the window so far, and when it ends. */
export interface QuotaHit {
  allowed: boolean;
  /** Hits in the window including this one as far as this process knows; above the limit when refused. */
  current: number;
  ttlMs: number;
}

/** At most `limit` hits per key in a window of `windowMs`, however many processes share the counters. */
export interface LeasedQuota {
  hit(key: string, limit: number, windowMs: number): Promise<QuotaHit>;
}

// Ended leases are dropped in a sweep every this many leases, so memory stays bounded.
const SWEEP_EVERY = 1024;

/**
 * Each process leases slices of a key's quota from the shared counters (one atomic add) and spends
 * them in memory, so most requests cost no round trip. The store never grants past the limit, so
 * all processes together never allow more than it; the price is that hits leased by one process
 * and not spent there are refused elsewhere until the window ends (at most a slice, see
 * sliceToLease, per other process). A process that finds the quota spent refuses the key locally
 * until the window ends. Concurrent requests for a key wait on one lease.
 */
export function createLeasedQuota(counters: WindowCounters, clock: Clock): LeasedQuota {
  const leases = new Map<string, Lease>();
  const pending = new Map<string, Promise<void>>();
  let leaseCount = 0;

  async function lease(key: string, limit: number, windowMs: number): Promise<void> {
    const nowMs = clock().getTime();
    const held = leases.get(key);
    const asked = sliceToLease(limit, held && held.endsMs > nowMs ? held.granted : 0);
    leases.set(key, leaseFrom(await counters.add(key, asked, windowMs, nowMs), asked, limit));
    leaseCount += 1;
    if (leaseCount % SWEEP_EVERY === 0) {
      for (const [other, { endsMs }] of leases) if (endsMs <= nowMs) leases.delete(other);
    }
  }

  return {
    async hit(key, limit, windowMs) {
      for (;;) {
        const held = leases.get(key);
        const decision = spend(held, clock().getTime());
        if (decision.kind === 'allowed') {
          (held as Lease).tokens -= 1;
          return { allowed: true, current: decision.current, ttlMs: decision.ttlMs };
        }
        if (decision.kind === 'refused') return { allowed: false, current: limit + 1, ttlMs: decision.ttlMs };
        let leasing = pending.get(key);
        if (!leasing) {
          leasing = lease(key, limit, windowMs).finally(() => pending.delete(key));
          pending.set(key, leasing);
        }
        await leasing;
      }
    },
  };
}
