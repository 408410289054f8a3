import { AppError } from '../../errors/app-error.ts';
import type { AttemptLimit, AttemptLimiter } from '../attempt-limiter.ts';

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * Login failures per account across addresses, and per address much higher, so one person
 * cannot lock out an office behind one address. Successful logins do not count.
 */
export const LOGIN_LIMITS: { perAccount: AttemptLimit; perAddress: AttemptLimit } = {
  perAccount: { limit: 10, windowMs: QUARTER_HOUR_MS },
  perAddress: { limit: 100, windowMs: QUARTER_HOUR_MS },
};

/** Setup attempts (a token works once, so every attempt counts) per address and per token. */
export const SETUP_LIMITS: { perAddress: AttemptLimit; perToken: AttemptLimit } = {
  perAddress: { limit: 20, windowMs: QUARTER_HOUR_MS },
  perToken: { limit: 5, windowMs: QUARTER_HOUR_MS },
};

/** A limiter and the key an attempt counts against (null: no such key, e.g. no client address). */
export type LimitCheck = [AttemptLimiter, string | null];

/** Throws 429 with Retry-After when any of the limiters holds its key back. */
export async function assertNotThrottled(what: string, checks: LimitCheck[]): Promise<void> {
  const waits = await Promise.all(checks.map(([limiter, key]) => (key === null ? 0 : limiter.retryAfterMs(key))));
  const waitMs = Math.max(0, ...waits);
  if (waitMs === 0) return;
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  throw new AppError('rate_limited', `Too many ${what}; try again in ${seconds} seconds`, {
    extra: { retry_after_seconds: seconds },
    headers: { 'retry-after': String(seconds) },
  });
}

export async function recordAttempt(checks: LimitCheck[]): Promise<void> {
  await Promise.all(checks.map(([limiter, key]) => (key === null ? undefined : limiter.record(key))));
}
