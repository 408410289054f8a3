import type { FailureOutcome } from './queue.ts';
import { PermanentFailure, RetryLater } from './types.ts';
import type { Backoff } from './types.ts';

/**
 * What becomes of a job whose run (attempt number `attempts` of `maxAttempts`) threw `error`:
 * PermanentFailure → dead; RetryLater → its own delay (dead once attempts are used up, unless it
 * does not consume one); anything else → backoff(attempts), dead after the last attempt.
 * Pure: the caller passes `now` and the backoff.
 */
export function failureOutcome(
  error: unknown,
  attempts: number,
  maxAttempts: number,
  backoff: Backoff,
  now: Date,
): FailureOutcome {
  const exhausted = attempts >= maxAttempts;
  if (error instanceof PermanentFailure) return { kind: 'dead' };
  if (error instanceof RetryLater) {
    const refund = error.options.consumeAttempt === false;
    if (exhausted && !refund) return { kind: 'dead' };
    return { kind: 'retry', runAt: new Date(now.getTime() + Math.max(0, error.delayMs)), refundAttempt: refund };
  }
  if (exhausted) return { kind: 'dead' };
  return { kind: 'retry', runAt: new Date(now.getTime() + backoff(attempts)), refundAttempt: false };
}

/** The text kept in `last_error`. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
