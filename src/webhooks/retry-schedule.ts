/**
 * When to try a failed delivery again, pure: the caller passes the attempt number, the outcome,
 * `now` and a random source, so every branch is testable with tables (Svix's worker reads the
 * clock and randomness itself and cannot be).
 */
import type { DeliveryErrorClass } from './error-class.ts';

/**
 * Default delay before each attempt, in ms: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 * Eight attempts over about 28 hours; `schedule[n]` is the wait before attempt n + 1.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
]);

/** ±20 %: spreads retries of a burst so a recovering receiver is not hit all at once. */
export const JITTER_RATIO = 0.2;
/** A receiver's `Retry-After` is honoured within these bounds, so it can neither hammer nor stall us. */
export const RETRY_AFTER_MIN_MS = 1_000;
export const RETRY_AFTER_MAX_MS = 24 * 3_600_000;
/** A receiver that throttles (429) or is too slow to answer gets at least a minute of peace. */
export const BACKOFF_FLOOR_MS = 60_000;

/** What happened on the attempt that just finished. */
export interface AttemptOutcome {
  errorClass?: DeliveryErrorClass | null;
  status?: number | null;
  retryAfterHeader?: string | null;
}

/**
 * The decision: retry after `delayMs` (at `retryAt`), or stop. `gone` means the receiver answered
 * 410 and the endpoint must be disabled; `blocked` is an SSRF refusal, never retried.
 */
export type RetryDecision =
  | { verdict: 'retry'; delayMs: number; retryAt: Date; reason: 'schedule' | 'retry_after' }
  | { verdict: 'delivered' | 'gone' | 'blocked' | 'exhausted'; delayMs: null; retryAt: null };

/** Input of `nextAttemptDelay`; `attempt` is the 1-based number of the attempt that just ended. */
export interface NextAttemptInput {
  attempt: number;
  schedule?: readonly number[];
  outcome: AttemptOutcome;
  random: () => number;
  now: Date;
}

/** 2xx without a transport error: the only success. Redirects and everything else are failures. */
export function isDelivered(outcome: AttemptOutcome): boolean {
  return !outcome.errorClass && outcome.status != null && outcome.status >= 200 && outcome.status < 300;
}

/**
 * Parses `Retry-After` (delay-seconds or HTTP-date) into ms from `now`, clamped to
 * [RETRY_AFTER_MIN_MS, RETRY_AFTER_MAX_MS]. Returns null when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value == null) return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else if (/[a-z]/i.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - now.getTime();
  } else {
    return null;
  }
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, ms));
}

/** Applies ±JITTER_RATIO using one draw of `random` (expected in [0, 1); clamped defensively). */
export function jitter(delayMs: number, random: () => number): number {
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(delayMs * (1 + JITTER_RATIO * (2 * r - 1)));
}

function needsFloor(outcome: AttemptOutcome): boolean {
  return outcome.errorClass === 'timeout' || outcome.status === 429 || outcome.status === 408;
}

/**
 * Decides what follows an attempt: delivered, gone (410), blocked (SSRF), exhausted (schedule
 * used up), or retry after a jittered scheduled delay — or the receiver's clamped `Retry-After`
 * when it sent one — never less than a minute after 429/408/timeouts.
 */
export function nextAttemptDelay(input: NextAttemptInput): RetryDecision {
  const { attempt, outcome, random, now } = input;
  const schedule = input.schedule ?? DEFAULT_RETRY_SCHEDULE_MS;
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError('attempt must be an integer >= 1');
  const stop = (verdict: 'delivered' | 'gone' | 'blocked' | 'exhausted'): RetryDecision => ({
    verdict,
    delayMs: null,
    retryAt: null,
  });
  if (isDelivered(outcome)) return stop('delivered');
  if (outcome.errorClass === 'blocked') return stop('blocked');
  if (outcome.status === 410) return stop('gone');
  const base = schedule[attempt];
  if (base === undefined) return stop('exhausted');

  const retryAfter = outcome.status != null ? parseRetryAfter(outcome.retryAfterHeader, now) : null;
  let delayMs = retryAfter ?? jitter(Math.max(0, base), random);
  if (needsFloor(outcome)) delayMs = Math.max(delayMs, BACKOFF_FLOOR_MS);
  return {
    verdict: 'retry',
    delayMs,
    retryAt: new Date(now.getTime() + delayMs),
    reason: retryAfter === null ? 'schedule' : 'retry_after',
  };
}

/**
 * Validates a per-endpoint schedule: 1–20 attempts, each delay finite, non-negative and at most
 * a week. Returns an error message or null.
 */
export function validateSchedule(schedule: readonly number[]): string | null {
  if (schedule.length < 1 || schedule.length > 20) return 'a retry schedule has 1 to 20 attempts';
  const week = 7 * 24 * 3_600_000;
  const bad = schedule.find((d) => !Number.isFinite(d) || d < 0 || d > week);
  return bad === undefined ? null : `invalid delay ${bad} ms (0 to 7 days)`;
}
