import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMonths, aggregateDailyToMonthly, daysInMonth, isLeapYear, monthLabels, parseDate } from './calendar.ts';

test('leap years and month lengths follow the Gregorian rules', () => {
  assert.equal(isLeapYear(2024), true);
  assert.equal(isLeapYear(2023), false);
  assert.equal(isLeapYear(1900), false);
  assert.equal(isLeapYear(2000), true);
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2023, 2), 28);
  assert.deepEqual(
    [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m)),
    [31, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
  );
});

test('month labels step one calendar month at a time across years', () => {
  assert.deepEqual(monthLabels('2023-11', 4), ['2023-12', '2024-01', '2024-02', '2024-03']);
  assert.deepEqual(monthLabels('2023-11', 2, true), ['2023-11', '2023-12']);
  const long = monthLabels('2024-01', 24);
  assert.equal(long[0], '2024-02');
  assert.equal(long[23], '2026-01');
  assert.equal(new Set(long).size, 24);
  assert.equal(addMonths('2024-03', -15), '2022-12');
  assert.throws(() => addMonths('2024-13', 1), RangeError);
});

test('dates are validated as real calendar days', () => {
  assert.deepEqual(parseDate('2024-02-29'), { year: 2024, month: 2, day: 29 });
  assert.throws(() => parseDate('2023-02-29'), RangeError);
  assert.throws(() => parseDate('2023-04-31'), RangeError);
  assert.throws(() => parseDate('2023-4-1'), RangeError);
});

test('daily records aggregate into calendar months with gaps filled and the partial month flagged', () => {
  const records = [];
  for (let d = 1; d <= 29; d++) records.push({ date: `2024-02-${String(d).padStart(2, '0')}`, amount: 1 });
  records.push(
    { date: '2024-04-01', amount: 5 },
    { date: '2024-04-10', amount: 2.5 },
    { date: '2024-04-10', amount: 0.5 },
  );
  const months = aggregateDailyToMonthly(records);
  assert.deepEqual(
    months.map((m) => [m.month, m.total, m.daysWithData, m.daysInMonth, m.partial]),
    [
      ['2024-02', 29, 29, 29, false],
      ['2024-03', 0, 0, 31, false],
      ['2024-04', 8, 2, 30, true],
    ],
  );
});

test('a month whose last day is present is complete; asOf extends to the current month', () => {
  const full = aggregateDailyToMonthly([
    { date: '2023-01-01', amount: 1 },
    { date: '2023-01-31', amount: 1 },
  ]);
  assert.equal(full[0]?.partial, false);
  const withAsOf = aggregateDailyToMonthly(
    [
      { date: '2023-01-01', amount: 1 },
      { date: '2023-01-31', amount: 1 },
    ],
    { asOf: '2023-02-03' },
  );
  assert.deepEqual(
    withAsOf.map((m) => [m.month, m.partial]),
    [
      ['2023-01', false],
      ['2023-02', true],
    ],
  );
  const lateStart = aggregateDailyToMonthly([
    { date: '2023-01-15', amount: 1 },
    { date: '2023-02-28', amount: 1 },
  ]);
  assert.deepEqual(
    lateStart.map((m) => m.partial),
    [true, false],
  );
  assert.deepEqual(aggregateDailyToMonthly([]), []);
  assert.throws(() => aggregateDailyToMonthly([{ date: '2023-01-01', amount: Number.NaN }]), RangeError);
});
