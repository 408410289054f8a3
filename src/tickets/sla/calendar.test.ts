import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import { calendarDocument, parseCalendar } from './calendar.ts';
import type { CalendarDocument } from './calendar.ts';
import { defaultPolicy, mergePolicy } from './policy.ts';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error.details.errors?.[0]?.field;
  }
  assert.fail('expected a validation error');
};
const base: CalendarDocument = {
  name: 'Ops',
  time_zone: 'Europe/Berlin',
  hours: { monday: [{ start: '09:00', end: '17:00' }] },
};

describe('calendar validation', () => {
  const bad: Array<[string, string, CalendarDocument]> = [
    ['unknown time zone', 'time_zone', { ...base, time_zone: 'Mars/Olympus_Mons' }],
    ['inverted interval', 'hours.monday[0]', { ...base, hours: { monday: [{ start: '17:00', end: '09:00' }] } }],
    ['empty interval', 'hours.monday[0]', { ...base, hours: { monday: [{ start: '09:00', end: '09:00' }] } }],
    [
      'overlapping intervals',
      'hours.monday',
      {
        ...base,
        hours: {
          monday: [
            { start: '13:00', end: '18:00' },
            { start: '09:00', end: '13:30' },
          ],
        },
      },
    ],
    ['a time not HH:MM', 'hours.monday[0].start', { ...base, hours: { monday: [{ start: '9am', end: '17:00' }] } }],
    ['25:00', 'hours.monday[0].end', { ...base, hours: { monday: [{ start: '09:00', end: '25:00' }] } }],
    ['a day that is not a weekday', 'hours.funday', { ...base, hours: { funday: [] } as never }],
    ['holiday in a bad format', 'holidays[0]', { ...base, holidays: ['25/12/2026'] }],
    ['holiday that is no date', 'holidays[0]', { ...base, holidays: ['2026-02-30'] }],
    ['no open time at all', 'hours', { ...base, hours: {} }],
  ];
  for (const [name, field, doc] of bad) {
    it(`${name} → 400 naming ${field}`, () =>
      assert.equal(
        fieldOf(() => parseCalendar('ops', doc)),
        field,
      ));
  }

  it('a bad id is refused', () =>
    assert.equal(
      fieldOf(() => parseCalendar('Not An Id', base)),
      'id',
    ));

  it('round-trips through its document form, intervals sorted, 24:00 kept', () => {
    const doc: CalendarDocument = {
      name: 'Split',
      time_zone: 'America/New_York',
      always_open: false,
      hours: {
        tuesday: [
          { start: '13:00', end: '24:00' },
          { start: '08:00', end: '12:00' },
        ],
      },
      holidays: ['2026-12-25'],
    };
    const shown = calendarDocument(parseCalendar('split', doc));
    assert.deepEqual(shown.hours.tuesday, [
      { start: '08:00', end: '12:00' },
      { start: '13:00', end: '24:00' },
    ]);
    assert.deepEqual(shown.hours.monday, []);
    assert.deepEqual(calendarDocument(parseCalendar('split', shown)), shown);
  });
});

describe('policy validation', () => {
  const exists = (id: string) => id === 'business-hours' || id === '24x7';
  const current = defaultPolicy('standard');
  const bad: Array<[string, string, Parameters<typeof mergePolicy>[1]]> = [
    ['zero target', 'targets.high.first_response_minutes', { targets: { high: { first_response_minutes: 0 } } }],
    ['negative target', 'targets.low.resolution_minutes', { targets: { low: { resolution_minutes: -5 } } }],
    ['fractional target', 'targets.low.resolution_minutes', { targets: { low: { resolution_minutes: 1.5 } } }],
    ['unknown calendar', 'calendar_id', { calendar_id: 'nope' }],
    ['warning at 100 %', 'warning_percent', { warning_percent: 100 }],
    ['unknown priority', 'targets.urgent', { targets: { urgent: {} } as never }],
  ];
  for (const [name, field, doc] of bad) {
    it(`${name} → 400 naming ${field}`, () =>
      assert.equal(
        fieldOf(() => mergePolicy(current, doc, exists)),
        field,
      ));
  }

  it('defaults follow the spec: tiers scale first response, critical on 24/7', () => {
    assert.equal(defaultPolicy('standard').targets.critical.first_response_minutes, 60);
    assert.equal(defaultPolicy('fintech').targets.high.first_response_minutes, 120);
    assert.equal(defaultPolicy('healthcare').targets.medium.first_response_minutes, 360);
    assert.equal(defaultPolicy('government').targets.critical.first_response_minutes, 60);
    assert.equal(defaultPolicy('government').critical_calendar_id, '24x7');
    assert.equal(defaultPolicy('standard').targets.low.resolution_minutes, 14_400);
    const merged = mergePolicy(
      current,
      { warning_percent: 75, targets: { high: { resolution_minutes: 600 } } },
      exists,
    );
    assert.deepEqual(merged.targets.high, { first_response_minutes: 240, resolution_minutes: 600 });
  });
});
