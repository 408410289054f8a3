import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nowcastMonth } from './nowcast.ts';

function series(from: string, count: number, amount: (i: number, weekday: number) => number) {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(start + i * 86_400_000);
    return { date: date.toISOString().slice(0, 10), amount: amount(i, date.getUTCDay()) };
  });
}

describe('nowcastMonth', () => {
  it('adds the same weekdays of the last four weeks for the days still to come', () => {
    // Weekdays cost 10, weekends 2; 2026-02-10 is a Tuesday, February 2026 has 28 days.
    const days = series('2026-01-01', 41, (_, weekday) => (weekday === 0 || weekday === 6 ? 2 : 10));
    const result = nowcastMonth(days, '2026-02-10');
    assert.equal(result.month, '2026-02');
    assert.equal(result.daysElapsed, 10);
    assert.equal(result.daysInMonth, 28);
    // Feb 1–10: Sun 1, Mon–Fri 2–6, Sat 7, Sun 8, Mon 9, Tue 10 → 3 weekend days, 7 weekdays.
    assert.equal(result.actualToDate, 3 * 2 + 7 * 10);
    // Feb 11–28: 18 days, of which Sat 14, Sun 15, Sat 21, Sun 22, Sat 28 → 5 weekend days.
    assert.equal(result.remaining, 5 * 2 + 13 * 10);
    assert.equal(result.monthEnd, result.actualToDate + result.remaining);
  });

  it('ignores days after asOf, and is zero-based before any history', () => {
    const result = nowcastMonth([{ date: '2026-03-20', amount: 99 }], '2026-03-10');
    assert.equal(result.actualToDate, 0);
    assert.equal(result.remaining, 0);
  });

  it('handles a leap February and the last day of a month (nothing remains)', () => {
    const days = series('2028-01-01', 60, () => 1);
    const result = nowcastMonth(days, '2028-02-29');
    assert.equal(result.daysInMonth, 29);
    assert.equal(result.actualToDate, 29);
    assert.equal(result.remaining, 0);
  });
});
