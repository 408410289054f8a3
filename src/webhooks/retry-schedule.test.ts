import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BACKOFF_FLOOR_MS,
  DEFAULT_RETRY_SCHEDULE_MS,
  isDelivered,
  jitter,
  nextAttemptDelay,
  parseRetryAfter,
  RETRY_AFTER_MAX_MS,
  validateSchedule,
} from './retry-schedule.ts';
import type { AttemptOutcome } from './retry-schedule.ts';
import { DELIVERY_ERROR_CLASSES } from './error-class.ts';

const now = new Date('2026-03-01T12:00:00.000Z');
const mid = () => 0.5; // no jitter
const low = () => 0; // -20 %
const high = () => 0.999999; // ≈ +20 %
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

const http = (status: number, retryAfterHeader?: string): AttemptOutcome =>
  status >= 200 && status < 300
    ? { status }
    : { errorClass: 'http_status', status, retryAfterHeader: retryAfterHeader ?? null };

describe('default schedule', () => {
  it('is 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts, ~28 h)', () => {
    assert.deepEqual([...DEFAULT_RETRY_SCHEDULE_MS], [0, 5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
    const total = DEFAULT_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    assert.ok(total > 27 * H && total < 29 * H);
  });
});

describe('nextAttemptDelay', () => {
  type Row = [name: string, attempt: number, outcome: AttemptOutcome, random: () => number, expected: number | string];
  const rows: Row[] = [
    // success and terminal verdicts
    ['200 delivered', 1, http(200), mid, 'delivered'],
    ['204 delivered', 3, http(204), mid, 'delivered'],
    ['2xx with transport error is not delivered', 1, { errorClass: 'timeout', status: 200 }, mid, 60 * S],
    ['410 gone', 1, http(410), mid, 'gone'],
    ['410 gone even with Retry-After', 2, http(410, '5'), mid, 'gone'],
    ['410 gone on last attempt', 8, http(410), mid, 'gone'],
    ['blocked never retried', 1, { errorClass: 'blocked' }, mid, 'blocked'],
    ['exhausted after 8th attempt', 8, http(500), mid, 'exhausted'],
    ['exhausted even with Retry-After', 8, http(503, '10'), mid, 'exhausted'],
    // scheduled delays, no jitter
    ['500 after attempt 1 → 5 s', 1, http(500), mid, 5 * S],
    ['500 after attempt 2 → 5 min', 2, http(500), mid, 5 * MIN],
    ['500 after attempt 3 → 30 min', 3, http(500), mid, 30 * MIN],
    ['500 after attempt 4 → 2 h', 4, http(500), mid, 2 * H],
    ['500 after attempt 5 → 5 h', 5, http(500), mid, 5 * H],
    ['500 after attempt 6 → 10 h', 6, http(500), mid, 10 * H],
    ['500 after attempt 7 → 10 h', 7, http(500), mid, 10 * H],
    ['302 is a failure → retried', 1, http(302), mid, 5 * S],
    ['404 is retried', 2, http(404), mid, 5 * MIN],
    ['dns retried', 1, { errorClass: 'dns' }, mid, 5 * S],
    ['connect retried', 2, { errorClass: 'connect' }, mid, 5 * MIN],
    ['tls retried', 3, { errorClass: 'tls' }, mid, 30 * MIN],
    ['unknown failure retried', 1, {}, mid, 5 * S],
    // jitter bounds
    ['-20 % jitter', 2, http(500), low, 4 * MIN],
    ['+20 % jitter', 2, http(500), high, Math.round(5 * MIN * 1.2 - 5 * MIN * 0.4 * 0.000001)],
    ['random out of range is clamped', 2, http(500), () => 7, 6 * MIN],
    ['negative random is clamped', 2, http(500), () => -3, 4 * MIN],
    // floors
    ['429 gets at least 60 s', 1, http(429), mid, 60 * S],
    ['408 gets at least 60 s', 1, http(408), mid, 60 * S],
    ['timeout gets at least 60 s', 1, { errorClass: 'timeout' }, low, 60 * S],
    ['floor does not shorten a longer schedule step', 2, { errorClass: 'timeout' }, mid, 5 * MIN],
    // Retry-After
    ['Retry-After seconds replaces the schedule', 3, http(503, '120'), mid, 120 * S],
    ['Retry-After is not jittered', 3, http(503, '120'), low, 120 * S],
    ['Retry-After 0 clamps to 1 s', 1, http(503, '0'), mid, 1 * S],
    ['Retry-After huge clamps to 24 h', 1, http(503, '999999999999'), mid, 24 * H],
    ['429 Retry-After below floor → 60 s', 1, http(429, '2'), mid, 60 * S],
    ['429 Retry-After above floor honoured', 1, http(429, '300'), mid, 300 * S],
    ['Retry-After HTTP-date', 1, http(503, 'Sun, 01 Mar 2026 12:10:00 GMT'), mid, 10 * MIN],
    ['Retry-After date in the past → 1 s', 1, http(503, 'Sun, 01 Mar 2026 11:00:00 GMT'), mid, 1 * S],
    ['Retry-After date far future → 24 h', 1, http(503, 'Fri, 01 Mar 2030 12:00:00 GMT'), mid, 24 * H],
    ['garbage Retry-After ignored', 2, http(503, 'soon-ish?'), mid, 5 * MIN],
    ['negative Retry-After ignored', 2, http(503, '-5'), mid, 5 * MIN],
    ['fractional Retry-After ignored', 2, http(503, '1.5'), mid, 5 * MIN],
    ['Retry-After without a status ignored', 2, { errorClass: 'connect', retryAfterHeader: '10' }, mid, 5 * MIN],
  ];
  for (const [name, attempt, outcome, random, expected] of rows) {
    it(name, () => {
      const d = nextAttemptDelay({ attempt, outcome, random, now });
      if (typeof expected === 'string') {
        assert.equal(d.verdict, expected);
        assert.equal(d.delayMs, null);
        assert.equal(d.retryAt, null);
      } else {
        assert.equal(d.verdict, 'retry');
        assert.equal(d.delayMs, expected);
        assert.equal(d.retryAt?.getTime(), now.getTime() + expected);
      }
    });
  }

  it('reports why it waits', () => {
    const a = nextAttemptDelay({ attempt: 1, outcome: http(503, '30'), random: mid, now });
    const b = nextAttemptDelay({ attempt: 1, outcome: http(503), random: mid, now });
    assert.equal(a.verdict === 'retry' && a.reason, 'retry_after');
    assert.equal(b.verdict === 'retry' && b.reason, 'schedule');
  });
  it('follows a per-endpoint schedule', () => {
    const schedule = [0, 1000, 2000];
    assert.equal(nextAttemptDelay({ attempt: 2, schedule, outcome: http(500), random: mid, now }).delayMs, 2000);
    assert.equal(nextAttemptDelay({ attempt: 3, schedule, outcome: http(500), random: mid, now }).verdict, 'exhausted');
  });
  it('refuses nonsense attempt numbers', () => {
    for (const attempt of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => nextAttemptDelay({ attempt, outcome: http(500), random: mid, now }), RangeError);
    }
  });
  it('walks the whole schedule: 7 retries then exhausted', () => {
    const verdicts = [1, 2, 3, 4, 5, 6, 7, 8].map(
      (attempt) => nextAttemptDelay({ attempt, outcome: http(500), random: mid, now }).verdict,
    );
    assert.deepEqual(verdicts, ['retry', 'retry', 'retry', 'retry', 'retry', 'retry', 'retry', 'exhausted']);
  });
  it('property: retry delays stay within ±20 % of the step, floors and clamps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(...DELIVERY_ERROR_CLASSES.filter((c) => c !== 'blocked' && c !== 'http_status')),
        (attempt, r, errorClass) => {
          const d = nextAttemptDelay({ attempt, outcome: { errorClass }, random: () => r, now });
          const step = DEFAULT_RETRY_SCHEDULE_MS[attempt] ?? 0;
          assert.equal(d.verdict, 'retry');
          const floor = errorClass === 'timeout' ? BACKOFF_FLOOR_MS : 0;
          assert.ok(d.delayMs !== null && d.delayMs >= Math.max(floor, Math.floor(step * 0.8)));
          assert.ok(d.delayMs <= Math.max(floor, Math.ceil(step * 1.2)));
        },
      ),
    );
  });
  it('property: any status decision is deterministic and bounded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.string()),
        (attempt, status, ra) => {
          const input = { attempt, outcome: http(status, ra ?? undefined), random: mid, now };
          const d = nextAttemptDelay(input);
          assert.deepEqual(nextAttemptDelay(input), d);
          if (d.verdict === 'retry') assert.ok(d.delayMs >= 1000 && d.delayMs <= RETRY_AFTER_MAX_MS);
        },
      ),
    );
  });
});

describe('helpers', () => {
  it('isDelivered: only 2xx without a transport error', () => {
    assert.equal(isDelivered({ status: 200 }), true);
    assert.equal(isDelivered({ status: 299 }), true);
    assert.equal(isDelivered({ status: 300 }), false);
    assert.equal(isDelivered({ status: 199 }), false);
    assert.equal(isDelivered({}), false);
    assert.equal(isDelivered({ status: 200, errorClass: 'timeout' }), false);
  });
  it('parseRetryAfter', () => {
    assert.equal(parseRetryAfter(undefined, now), null);
    assert.equal(parseRetryAfter(null, now), null);
    assert.equal(parseRetryAfter('', now), null);
    assert.equal(parseRetryAfter(' 30 ', now), 30_000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now), 30_000);
  });
  it('jitter is centred and bounded', () => {
    assert.equal(jitter(1000, mid), 1000);
    assert.equal(jitter(1000, low), 800);
    assert.equal(
      jitter(1000, () => 1),
      1200,
    );
    assert.equal(jitter(0, high), 0);
  });
  it('validateSchedule', () => {
    assert.equal(validateSchedule(DEFAULT_RETRY_SCHEDULE_MS), null);
    assert.match(validateSchedule([]) ?? '', /1 to 20/);
    assert.match(validateSchedule([0, -1]) ?? '', /invalid/);
    assert.match(validateSchedule([0, Number.POSITIVE_INFINITY]) ?? '', /invalid/);
    assert.match(validateSchedule(new Array(21).fill(0)) ?? '', /1 to 20/);
  });
});
