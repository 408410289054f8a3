import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { addBusinessTime, businessTimeBetween, isBusinessInstant } from './business-time.ts';
import { ALWAYS_OPEN_CALENDAR, DEFAULT_BUSINESS_CALENDAR, parseCalendar } from './calendar.ts';
import type { BusinessCalendar } from './calendar.ts';

const HOUR = 3_600_000;
const at = (text: string): number => Date.parse(text);
const isoOf = (ms: number): string => new Date(ms).toISOString();
const weekdays = (start: string, end: string) =>
  Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start, end }]]));

const NEW_YORK = parseCalendar('new-york', {
  name: 'NY',
  time_zone: 'America/New_York',
  hours: weekdays('09:00', '17:00'),
});
const LONDON_ALL_DAY = parseCalendar('london-all-day', {
  name: 'London, every hour of every day',
  time_zone: 'Europe/London',
  hours: Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [
      d,
      [{ start: '00:00', end: '24:00' }],
    ]),
  ),
});
const LONDON_SPLIT = parseCalendar('london-split', {
  name: 'London, lunch break, holidays',
  time_zone: 'Europe/London',
  hours: {
    ...Object.fromEntries(
      ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [
        d,
        [
          { start: '08:30', end: '12:00' },
          { start: '13:00', end: '17:30' },
        ],
      ]),
    ),
    saturday: [{ start: '10:00', end: '13:00' }],
  },
  holidays: ['2026-03-27', '2026-10-23', '2026-12-25', '2026-12-28', '2027-01-01'],
});
// A Friday holiday before the weekend (2026-01-09 is a Friday).
const FRIDAY_HOLIDAY = parseCalendar('friday-holiday', {
  name: 'UTC with a Friday holiday',
  time_zone: 'UTC',
  hours: weekdays('09:00', '18:00'),
  holidays: ['2026-01-09'],
});

describe('business time: examples', () => {
  const cases: Array<[string, BusinessCalendar, string, number, string]> = [
    [
      'Friday 17:30 + 1 h → Monday 09:30',
      DEFAULT_BUSINESS_CALENDAR,
      '2026-01-09T17:30:00Z',
      HOUR,
      '2026-01-12T09:30:00.000Z',
    ],
    [
      'Saturday + 1 h → Monday 10:00',
      DEFAULT_BUSINESS_CALENDAR,
      '2026-01-10T12:00:00Z',
      HOUR,
      '2026-01-12T10:00:00.000Z',
    ],
    [
      'a target ending with the day falls at closing time',
      DEFAULT_BUSINESS_CALENDAR,
      '2026-01-05T09:00:00Z',
      9 * HOUR,
      '2026-01-05T18:00:00.000Z',
    ],
    [
      '24 business hours from Monday 10:00 → Wednesday 16:00',
      DEFAULT_BUSINESS_CALENDAR,
      '2026-01-05T10:00:00Z',
      24 * HOUR,
      '2026-01-07T16:00:00.000Z',
    ],
    ['24/7 is wall-clock time', ALWAYS_OPEN_CALENDAR, '2026-01-09T17:30:00Z', HOUR, '2026-01-09T18:30:00.000Z'],
    [
      'Thursday 17:00 + 2 h skips the Friday holiday and the weekend',
      FRIDAY_HOLIDAY,
      '2026-01-08T17:00:00Z',
      2 * HOUR,
      '2026-01-12T10:00:00.000Z',
    ],
    // New York springs forward on Sunday 2026-03-08: Friday 16:00 EST, Monday 10:00 EDT.
    ['New York across spring-forward', NEW_YORK, '2026-03-06T21:00:00Z', 2 * HOUR, '2026-03-09T14:00:00.000Z'],
    // New York falls back on Sunday 2026-11-01: Friday 16:00 EDT, Monday 10:00 EST.
    ['New York across fall-back', NEW_YORK, '2026-10-30T20:00:00Z', 2 * HOUR, '2026-11-02T15:00:00.000Z'],
    ['lunch break is skipped', LONDON_SPLIT, '2026-01-05T11:00:00Z', 2 * HOUR, '2026-01-05T14:00:00.000Z'],
    [
      'Friday holiday then Saturday morning hours',
      LONDON_SPLIT,
      '2026-10-22T16:30:00Z',
      2 * HOUR,
      '2026-10-24T11:00:00.000Z',
    ],
    [
      'negative durations count back over the weekend',
      DEFAULT_BUSINESS_CALENDAR,
      '2026-01-12T09:30:00Z',
      -HOUR,
      '2026-01-09T17:30:00.000Z',
    ],
  ];
  for (const [name, calendar, start, ms, expected] of cases) {
    it(name, () => {
      assert.equal(isoOf(addBusinessTime(calendar, at(start), ms)), expected);
      if (ms > 0) assert.equal(businessTimeBetween(calendar, at(start), at(expected)), ms);
    });
  }

  it('a London day of 24 local hours is 25 hours long when the clocks go back, 23 when they go forward', () => {
    const day = (date: string) => {
      const start = DateTime.fromISO(date, { zone: 'Europe/London' });
      return businessTimeBetween(LONDON_ALL_DAY, start.toMillis(), start.plus({ days: 1 }).toMillis());
    };
    assert.equal(day('2026-10-25'), 25 * HOUR);
    assert.equal(day('2026-03-29'), 23 * HOUR);
    assert.equal(day('2026-03-30'), 24 * HOUR);
  });

  it('New York business hours stay 09:00–17:00 local on both sides of DST', () => {
    // Monday before and after spring-forward: 9 and 13 o'clock UTC open, 8 hours each day.
    assert.equal(businessTimeBetween(NEW_YORK, at('2026-03-02T00:00:00Z'), at('2026-03-03T00:00:00Z')), 8 * HOUR);
    assert.ok(isBusinessInstant(NEW_YORK, at('2026-03-02T14:30:00Z')));
    assert.ok(!isBusinessInstant(NEW_YORK, at('2026-03-02T13:30:00Z')));
    assert.ok(isBusinessInstant(NEW_YORK, at('2026-03-09T13:30:00Z')));
  });

  it('between is zero across a closed stretch and negative backwards', () => {
    assert.equal(
      businessTimeBetween(DEFAULT_BUSINESS_CALENDAR, at('2026-01-09T18:00:00Z'), at('2026-01-12T09:00:00Z')),
      0,
    );
    assert.equal(
      businessTimeBetween(DEFAULT_BUSINESS_CALENDAR, at('2026-01-05T11:00:00Z'), at('2026-01-05T10:00:00Z')),
      -HOUR,
    );
  });
});

const CALENDARS = [
  DEFAULT_BUSINESS_CALENDAR,
  NEW_YORK,
  LONDON_ALL_DAY,
  LONDON_SPLIT,
  FRIDAY_HOLIDAY,
  ALWAYS_OPEN_CALENDAR,
];
const calendarArb = fc.constantFrom(...CALENDARS);
// 2026–2027: both DST changes of each zone, the holidays, month and year ends.
const instantArb = fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z') });
const durationArb = fc.integer({ min: 1, max: 300 * HOUR });

describe('business time: properties', () => {
  it('adding a then b is adding a + b', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, durationArb, (calendar, start, a, b) => {
        assert.equal(
          addBusinessTime(calendar, addBusinessTime(calendar, start, a), b),
          addBusinessTime(calendar, start, a + b),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('the business time between start and start + d is d', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, (calendar, start, d) => {
        assert.equal(businessTimeBetween(calendar, start, addBusinessTime(calendar, start, d)), d);
      }),
      { numRuns: 300 },
    );
  });

  it('no due time falls outside business hours or on a holiday', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, (calendar, start, d) => {
        const due = addBusinessTime(calendar, start, d);
        assert.ok(isBusinessInstant(calendar, due), `${isoOf(due)} is open in ${calendar.id}`);
        if (!calendar.alwaysOpen) {
          const local = DateTime.fromMillis(due - 1, { zone: calendar.timeZone }).toISODate() as string;
          assert.ok(!calendar.holidays.includes(local), `${isoOf(due)} is not on a holiday`);
          const weekday = DateTime.fromMillis(due - 1, { zone: calendar.timeZone }).weekday;
          assert.ok(calendar.id !== 'business-hours' || weekday <= 5, 'never on a weekend');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('business time is additive over consecutive spans', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.nat(200 * HOUR), fc.nat(200 * HOUR), (calendar, a, x, y) => {
        const b = a + x;
        const c = b + y;
        assert.equal(
          businessTimeBetween(calendar, a, b) + businessTimeBetween(calendar, b, c),
          businessTimeBetween(calendar, a, c),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('counting back undoes counting forward', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, (calendar, start, d) => {
        const due = addBusinessTime(calendar, start, d);
        assert.equal(businessTimeBetween(calendar, addBusinessTime(calendar, due, -d), due), d);
      }),
      { numRuns: 200 },
    );
  });
});
