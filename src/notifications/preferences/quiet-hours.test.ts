import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { insideQuietHours, quietHoursProblem, quietHoursRelease } from './quiet-hours.ts';
import type { QuietHours } from './quiet-hours.ts';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const at = (iso: string) => new Date(iso);
const release = (quiet: QuietHours, iso: string) => quietHoursRelease(quiet, at(iso)).toISOString();

describe('quiet hours: validation', () => {
  const valid: QuietHours = { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin', days: [1, 2, 3] };
  const cases: Array<[Partial<QuietHours>, string]> = [
    [{ start: '24:00' }, 'start'],
    [{ start: '7:00' }, 'start'],
    [{ end: '07:60' }, 'end'],
    [{ end: '22:00' }, 'end'],
    [{ time_zone: 'Mars/Olympus' }, 'time_zone'],
    [{ time_zone: '' }, 'time_zone'],
    [{ days: [] }, 'days'],
    [{ days: [0] }, 'days'],
    [{ days: [8] }, 'days'],
    [{ days: [1.5] }, 'days'],
    [{ days: [2, 2] }, 'days'],
  ];
  for (const [change, field] of cases) {
    it(`names ${field} for ${JSON.stringify(change)}`, () => {
      assert.equal(quietHoursProblem({ ...valid, ...change })?.[0], field);
    });
  }
  it('accepts a sound window', () => assert.equal(quietHoursProblem(valid), null));
});

describe('quiet hours: where an email waits until', () => {
  it('leaves an email outside the window alone', () => {
    const quiet = { start: '22:00', end: '07:00', time_zone: 'America/New_York', days: EVERY_DAY };
    assert.equal(release(quiet, '2026-03-02T17:00:00.000Z'), '2026-03-02T17:00:00.000Z');
  });

  it('defers to the end of a window crossing midnight (New York, winter: UTC-5)', () => {
    const quiet = { start: '22:00', end: '07:00', time_zone: 'America/New_York', days: EVERY_DAY };
    // 23:30 local → 07:00 local next day = 12:00 UTC.
    assert.equal(release(quiet, '2026-01-06T04:30:00.000Z'), '2026-01-06T12:00:00.000Z');
    // 02:00 local, after midnight, in the window that started the evening before.
    assert.equal(release(quiet, '2026-01-06T07:00:00.000Z'), '2026-01-06T12:00:00.000Z');
    // 07:00 local exactly: the window is over.
    assert.equal(release(quiet, '2026-01-06T12:00:00.000Z'), '2026-01-06T12:00:00.000Z');
  });

  it('ends a window at the right instant across the spring-forward night (New York, 8 March 2026)', () => {
    const quiet = { start: '22:00', end: '07:00', time_zone: 'America/New_York', days: EVERY_DAY };
    // 23:00 EST on 7 March → 07:00 EDT on 8 March = 11:00 UTC (the night is an hour shorter).
    assert.equal(release(quiet, '2026-03-08T04:00:00.000Z'), '2026-03-08T11:00:00.000Z');
  });

  it('ends a window at the right instant across the fall-back night (New York, 1 November 2026)', () => {
    const quiet = { start: '22:00', end: '07:00', time_zone: 'America/New_York', days: EVERY_DAY };
    // 23:00 EDT on 31 October → 07:00 EST on 1 November = 12:00 UTC.
    assert.equal(release(quiet, '2026-11-01T03:00:00.000Z'), '2026-11-01T12:00:00.000Z');
  });

  it('handles a window that starts in the hour that does not exist (02:30 on spring-forward day)', () => {
    const quiet = { start: '02:30', end: '05:00', time_zone: 'America/New_York', days: EVERY_DAY };
    // 03:45 EDT is inside (the start moved forward with the clock to 03:30 EDT); ends 05:00 EDT = 09:00 UTC.
    assert.equal(release(quiet, '2026-03-08T07:45:00.000Z'), '2026-03-08T09:00:00.000Z');
  });

  it('works in a half-hour zone without DST (Asia/Kolkata, UTC+5:30)', () => {
    const quiet = { start: '21:30', end: '06:45', time_zone: 'Asia/Kolkata', days: EVERY_DAY };
    // 22:00 IST = 16:30 UTC → 06:45 IST next day = 01:15 UTC.
    assert.equal(release(quiet, '2026-06-10T16:30:00.000Z'), '2026-06-11T01:15:00.000Z');
    // 21:29 IST: one minute before the window.
    assert.equal(release(quiet, '2026-06-10T15:59:00.000Z'), '2026-06-10T15:59:00.000Z');
  });

  it('honours the days: a window belongs to the day it starts on', () => {
    // Weekdays only, 22:00–07:00 in Kolkata. Friday 12 June 2026 23:00 IST: Friday's window runs into Saturday.
    const quiet = { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata', days: [1, 2, 3, 4, 5] };
    assert.equal(release(quiet, '2026-06-12T17:30:00.000Z'), '2026-06-13T01:30:00.000Z');
    // Saturday 23:00 IST: no window starts on Saturday.
    assert.equal(release(quiet, '2026-06-13T17:30:00.000Z'), '2026-06-13T17:30:00.000Z');
    // Monday 01:00 IST: Sunday started no window.
    assert.equal(release(quiet, '2026-06-14T19:30:00.000Z'), '2026-06-14T19:30:00.000Z');
  });

  it('handles a daytime window (no midnight crossing)', () => {
    const quiet = { start: '09:00', end: '17:00', time_zone: 'Europe/London', days: EVERY_DAY };
    // 10:00 BST (summer) = 09:00 UTC → 17:00 BST = 16:00 UTC.
    assert.equal(release(quiet, '2026-07-01T09:00:00.000Z'), '2026-07-01T16:00:00.000Z');
    assert.ok(!insideQuietHours(quiet, at('2026-07-01T16:00:00.000Z')));
  });

  const zones = ['America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Australia/Lord_Howe', 'UTC', 'Pacific/Apia'];
  const time = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const quietHours = fc
    .record({
      start: time,
      end: time,
      time_zone: fc.constantFrom(...zones),
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    })
    .filter((q) => q.start !== q.end);
  // 2026 through 2027, which holds every DST change of these zones twice.
  const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }).map((ms) => new Date(ms));

  it('property: never earlier than now, never inside a window, and unchanged outside one', () => {
    fc.assert(
      fc.property(quietHours, instant, (quiet, now) => {
        const result = quietHoursRelease(quiet, now);
        assert.ok(result.getTime() >= now.getTime(), 'earlier than now');
        assert.ok(!insideQuietHours(quiet, result), `inside a window: ${result.toISOString()}`);
        if (!insideQuietHours(quiet, now)) assert.equal(result.getTime(), now.getTime());
        // A window is shorter than a day, so nothing waits longer than that (plus an hour of DST).
        assert.ok(result.getTime() - now.getTime() <= 25 * 3_600_000, 'waits more than a day');
      }),
      { numRuns: 800 },
    );
  });

  it('property: every instant strictly between now and the release is inside quiet hours', () => {
    fc.assert(
      fc.property(quietHours, instant, fc.double({ min: 0, max: 1, noNaN: true }), (quiet, now, fraction) => {
        const result = quietHoursRelease(quiet, now);
        if (result.getTime() === now.getTime()) return;
        const between = new Date(now.getTime() + Math.floor((result.getTime() - now.getTime()) * fraction));
        if (between.getTime() < result.getTime()) assert.ok(insideQuietHours(quiet, between));
      }),
      { numRuns: 500 },
    );
  });
});
