import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../errors/app-error.ts';
import { nowcastMonth } from '../engine/nowcast.ts';
import { budgetSpend, dueAlerts, historyStart, percentOf, periodOf, validateThresholds } from './model.ts';
import type { SpendDay } from './model.ts';

const M = 1_000_000;

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 400);
    return error.details.errors?.[0]?.field;
  }
  return undefined;
}

describe('validateThresholds', () => {
  it('accepts ascending numbers in (0, 10]', () => {
    assert.deepEqual(validateThresholds([0.5, 0.8, 1]), [0.5, 0.8, 1]);
    assert.deepEqual(validateThresholds([1, 1.5, 10]), [1, 1.5, 10]);
  });

  it('names the offending entry: out of order, repeated, out of range, not a number; and the list when empty or too long', () => {
    assert.equal(
      fieldOf(() => validateThresholds([0.8, 0.5])),
      'thresholds.1',
    );
    assert.equal(
      fieldOf(() => validateThresholds([0.5, 0.5])),
      'thresholds.1',
    );
    assert.equal(
      fieldOf(() => validateThresholds([0])),
      'thresholds.0',
    );
    assert.equal(
      fieldOf(() => validateThresholds([0.5, 10.5])),
      'thresholds.1',
    );
    assert.equal(
      fieldOf(() => validateThresholds([-1])),
      'thresholds.0',
    );
    assert.equal(
      fieldOf(() => validateThresholds(['0.5'])),
      'thresholds.0',
    );
    assert.equal(
      fieldOf(() => validateThresholds([Number.NaN])),
      'thresholds.0',
    );
    assert.equal(
      fieldOf(() => validateThresholds([])),
      'thresholds',
    );
    assert.equal(
      fieldOf(() => validateThresholds(Array.from({ length: 11 }, (_, i) => (i + 1) / 11))),
      'thresholds',
    );
  });
});

describe('periodOf', () => {
  it('is the UTC calendar month of the clock', () => {
    assert.deepEqual(periodOf(new Date('2026-03-01T00:30:00Z')), {
      month: '2026-03',
      monthStart: '2026-03-01',
      today: '2026-03-01',
    });
    assert.deepEqual(periodOf(new Date('2024-02-29T23:59:59Z')).month, '2024-02');
    assert.equal(historyStart(periodOf(new Date('2026-03-15T12:00:00Z'))), '2026-02-01');
  });
});

const day = (date: string, service: string, units: number): SpendDay => ({ date, service, amountMicros: units * M });

describe('budgetSpend', () => {
  const days: SpendDay[] = [];
  for (let d = 1; d <= 28; d += 1) {
    days.push(
      day(`2026-02-${String(d).padStart(2, '0')}`, 'EC2', 10),
      day(`2026-02-${String(d).padStart(2, '0')}`, 'S3', 1),
    );
  }
  for (let d = 1; d <= 10; d += 1) {
    days.push(
      day(`2026-03-${String(d).padStart(2, '0')}`, 'EC2', 10),
      day(`2026-03-${String(d).padStart(2, '0')}`, 'S3', 1),
    );
  }

  it('sums the month to date exactly and nowcasts the rest of the month from the last day with data', () => {
    // Today is the 12th; data ends on the 10th: the 11th and 12th are estimated, not counted as zero.
    const spend = budgetSpend(days, null, periodOf(new Date('2026-03-12T08:00:00Z')));
    assert.equal(spend.spentMicros, 110 * M);
    assert.equal(spend.asOf, '2026-03-10');
    assert.equal(spend.forecastMicros, 31 * 11 * M);
  });

  it('covers only the budget’s services when it names them', () => {
    const spend = budgetSpend(days, ['S3'], periodOf(new Date('2026-03-12T08:00:00Z')));
    assert.equal(spend.spentMicros, 10 * M);
    assert.equal(spend.forecastMicros, 31 * M);
  });

  it('agrees with nowcastMonth on the same daily totals (the forecast API’s month-end estimate)', () => {
    const spend = budgetSpend(days, null, periodOf(new Date('2026-03-10T23:00:00Z')));
    const totals = new Map<string, number>();
    for (const d of days) totals.set(d.date, (totals.get(d.date) ?? 0) + d.amountMicros);
    const nowcast = nowcastMonth(
      [...totals].map(([date, amount]) => ({ date, amount })),
      '2026-03-10',
    );
    assert.equal(spend.forecastMicros, Math.round(nowcast.monthEnd));
  });

  it('on the first of a month with no data yet: nothing spent, the whole month estimated; data after today ignored', () => {
    const spend = budgetSpend(
      [...days, day('2026-04-05', 'EC2', 1_000)],
      null,
      periodOf(new Date('2026-04-01T00:10:00Z')),
    );
    assert.equal(spend.spentMicros, 0);
    assert.equal(spend.asOf, '2026-04-01');
    assert.ok(spend.forecastMicros > 0);
  });
});

describe('dueAlerts', () => {
  const budget = { limitMicros: 100 * M, thresholds: [0.5, 0.8, 1], basis: 'both' as const };

  it('lists every threshold reached, exactly at the boundary, and the forecast alert above the limit', () => {
    assert.deepEqual(dueAlerts(budget, { spentMicros: 50 * M - 1, forecastMicros: 100 * M }), []);
    assert.deepEqual(dueAlerts(budget, { spentMicros: 50 * M, forecastMicros: 100 * M }), [
      { kind: 'actual', threshold: 0.5 },
    ]);
    assert.deepEqual(dueAlerts(budget, { spentMicros: 100 * M, forecastMicros: 100 * M + 1 }), [
      { kind: 'actual', threshold: 0.5 },
      { kind: 'actual', threshold: 0.8 },
      { kind: 'actual', threshold: 1 },
      { kind: 'forecast', threshold: 1 },
    ]);
  });

  it('honours the basis', () => {
    const spend = { spentMicros: 90 * M, forecastMicros: 150 * M };
    assert.deepEqual(
      dueAlerts({ ...budget, basis: 'actual' }, spend).map((a) => a.kind),
      ['actual', 'actual'],
    );
    assert.deepEqual(
      dueAlerts({ ...budget, basis: 'forecast' }, spend).map((a) => a.kind),
      ['forecast'],
    );
  });

  it('compares in exact decimals: 0.7 of 0.30 is 0.21, not 0.20999…', () => {
    const small = { limitMicros: 300_000, thresholds: [0.7], basis: 'actual' as const };
    assert.deepEqual(dueAlerts(small, { spentMicros: 210_000, forecastMicros: 0 }), [
      { kind: 'actual', threshold: 0.7 },
    ]);
    assert.deepEqual(dueAlerts(small, { spentMicros: 209_999, forecastMicros: 0 }), []);
  });

  it('is monotone: more spend never un-reaches a threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (a, b) => {
        const low = dueAlerts(budget, { spentMicros: Math.min(a, b), forecastMicros: 0 });
        const high = dueAlerts(budget, { spentMicros: Math.max(a, b), forecastMicros: 0 });
        assert.ok(low.every((alert) => high.some((h) => h.threshold === alert.threshold)));
      }),
    );
  });
});

describe('percentOf', () => {
  it('is spent over limit in percent with two decimals', () => {
    assert.equal(percentOf(8_123_400_000, 10_000_000_000), 81.23);
    assert.equal(percentOf(0, 0), 0);
  });
});
