/**
 * Keeping one endpoint's trouble away from the others, pure where it decides: a circuit breaker
 * (hold an endpoint's queue after consecutive failures, then let ONE probe through), a GCRA rate
 * limiter for the optional per-endpoint rate, and an in-process per-endpoint concurrency gate.
 * Deferred jobs go back to the queue without consuming an attempt, so they never hold a worker slot.
 */

/** Consecutive failed attempts that open the breaker. */
export const BREAKER_THRESHOLD = 5;
/** First hold after the breaker opens; doubles per further failure up to the maximum. */
export const BREAKER_BASE_MS = 5_000;
export const BREAKER_MAX_MS = 5 * 60_000;
/** In-flight attempts per endpoint in one worker process while it is healthy. */
export const DEFAULT_MAX_IN_FLIGHT = 8;

/** How long the breaker holds an endpoint with this many consecutive failures (0 = closed). */
export function breakerHoldMs(consecutiveFailures: number): number {
  if (consecutiveFailures < BREAKER_THRESHOLD) return 0;
  return Math.min(BREAKER_MAX_MS, BREAKER_BASE_MS * 2 ** Math.min(16, consecutiveFailures - BREAKER_THRESHOLD));
}

/** What to do with an attempt given the endpoint's breaker state. */
export type BreakerDecision = { kind: 'pass' } | { kind: 'probe' } | { kind: 'hold'; untilMs: number };

/**
 * Closed (fewer failures than the threshold): pass. Open (hold in the future): wait until it ends.
 * Half-open (threshold reached, hold over): try to become the single probe.
 */
export function breakerDecision(input: {
  nowMs: number;
  consecutiveFailures: number;
  openUntil: string | null;
}): BreakerDecision {
  const until = input.openUntil ? Date.parse(input.openUntil) : 0;
  if (until > input.nowMs) return { kind: 'hold', untilMs: until };
  if (input.consecutiveFailures < BREAKER_THRESHOLD) return { kind: 'pass' };
  return { kind: 'probe' };
}

/** In-flight attempts allowed for an endpoint: one while it is failing, the cap otherwise. */
export function inFlightLimit(consecutiveFailures: number, cap = DEFAULT_MAX_IN_FLIGHT): number {
  return consecutiveFailures > 0 ? 1 : cap;
}

/** The rate limiter's verdict: go (and store `tat`), or wait `waitMs`. */
export type RateDecision = { ok: true; tat: string } | { ok: false; waitMs: number };

/**
 * GCRA ("theoretical arrival time") without burst: each send moves `tat` by 1/rate and a send is
 * allowed once `tat` is reached, so sends are spaced evenly and no second ever sees more than the
 * rate. The state is one timestamp, so workers share it through a compare-and-set on the row.
 */
export function rateDecision(input: { nowMs: number; tat: string | null; perSecond: number }): RateDecision {
  const interval = 1000 / input.perSecond;
  const current = Math.max(input.nowMs, input.tat ? Date.parse(input.tat) : 0);
  if (current - input.nowMs > 0.5) return { ok: false, waitMs: Math.ceil(current - input.nowMs) };
  return { ok: true, tat: new Date(current + interval).toISOString() };
}

/** Counts attempts in flight per endpoint in this process. */
export class EndpointGate {
  private readonly inFlight = new Map<string, number>();

  /** Takes a slot when fewer than `limit` attempts to the endpoint are in flight. */
  tryAcquire(endpointId: string, limit: number): boolean {
    const n = this.inFlight.get(endpointId) ?? 0;
    if (n >= limit) return false;
    this.inFlight.set(endpointId, n + 1);
    return true;
  }

  release(endpointId: string): void {
    const n = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, n);
  }

  /** Attempts in flight to an endpoint (tests, metrics). */
  count(endpointId: string): number {
    return this.inFlight.get(endpointId) ?? 0;
  }
}
