import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureOutcome } from './outcome.ts';
import { exponentialBackoff, PermanentFailure, RetryLater } from './types.ts';

const now = new Date('2026-01-05T10:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('failureOutcome', () => {
  const backoff = exponentialBackoff(1_000, 10_000);
  const cases: [string, unknown, number, number, ReturnType<typeof failureOutcome>][] = [
    ['first failure backs off 1 s', new Error('x'), 1, 5, { kind: 'retry', runAt: at(1_000), refundAttempt: false }],
    ['third failure backs off 4 s', new Error('x'), 3, 5, { kind: 'retry', runAt: at(4_000), refundAttempt: false }],
    ['backoff is capped', new Error('x'), 4, 9, { kind: 'retry', runAt: at(8_000), refundAttempt: false }],
    ['cap reached', 'a string', 8, 9, { kind: 'retry', runAt: at(10_000), refundAttempt: false }],
    ['last attempt dies', new Error('x'), 5, 5, { kind: 'dead' }],
    ['permanent failure dies at once', new PermanentFailure('gone'), 1, 5, { kind: 'dead' }],
    [
      'RetryLater picks the delay',
      new RetryLater(30_000),
      1,
      5,
      { kind: 'retry', runAt: at(30_000), refundAttempt: false },
    ],
    ['RetryLater on the last attempt dies', new RetryLater(30_000), 5, 5, { kind: 'dead' }],
    [
      'RetryLater without consuming survives the last attempt',
      new RetryLater(5, 'busy', { consumeAttempt: false }),
      5,
      5,
      { kind: 'retry', runAt: at(5), refundAttempt: true },
    ],
  ];
  for (const [name, error, attempts, max, expected] of cases) {
    it(name, () => assert.deepEqual(failureOutcome(error, attempts, max, backoff, now), expected));
  }

  it('jitter stays within the upper half of the delay', () => {
    assert.equal(exponentialBackoff(1_000, 60_000, () => 0)(3), 2_000);
    assert.equal(exponentialBackoff(1_000, 60_000, () => 1)(3), 4_000);
  });
});
