import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import type { ServiceDay } from '../records/store.ts';
import { computeForecast, trendOf, type ForecastParams } from './compute.ts';
import { costHistoryOf, sampleDailyCosts } from './sample-costs.ts';

const days = (from: string, to: string, services = 3, growth = 0.02): ServiceDay[] =>
  sampleDailyCosts({ from, to, services, growth }).map((r) => ({
    date: r.date,
    service: r.service,
    amountMicros: r.amountMicros,
  }));
const params = (overrides: Partial<ForecastParams> = {}): ForecastParams => ({
  months: 6,
  level: 80,
  byService: false,
  ...overrides,
});
const run = (data: ServiceDay[], today: string, p = params()) =>
  computeForecast({
    history: costHistoryOf(data, today),
    today,
    params: p,
    currency: 'USD',
    generatedAt: '2026-11-28T10:00:00.000Z',
  });

describe('forecast computation', () => {
  it('fits full months only: a first month started mid-way and the current month stay out of the model', () => {
    const report = run(days('2025-03-15', '2026-11-27'), '2026-11-28');
    assert.equal(report.historical_months, 19, '2025-04 … 2026-10');
    assert.deepEqual(report.history[0], { ...report.history[0], month: '2025-03', partial: true });
    assert.equal(report.history[1]?.partial, false);
    assert.equal(report.history.at(-1)?.month, '2026-11');
    assert.equal(report.history.at(-1)?.partial, true);
  });

  it('ignores today’s partial data and takes the last day with data as the last complete day', () => {
    const data = days('2025-01-01', '2026-11-28');
    const report = run(data, '2026-11-28');
    assert.equal(report.as_of, '2026-11-27');
    const lagging = run(
      data.filter((d) => d.date <= '2026-11-20'),
      '2026-11-28',
    );
    assert.equal(lagging.as_of, '2026-11-20');
    assert.equal(lagging.nowcast?.days_elapsed, 20);
    assert.ok((lagging.nowcast?.remaining ?? 0) > (report.nowcast?.remaining ?? 0));
  });

  it('uses the model’s one-step forecast for a current month without data yet', () => {
    const report = run(days('2025-01-01', '2026-10-31'), '2026-11-01');
    assert.equal(report.nowcast, null);
    assert.equal(report.forecast[0]?.month, '2026-11');
    assert.equal(report.history.at(-1)?.month, '2026-10');
    assert.equal(report.history.at(-1)?.partial, false);
  });

  it('narrows the current month’s interval as the month passes, never below the actual to date', () => {
    const data = days('2025-01-01', '2026-11-27');
    const early = run(
      data.filter((d) => d.date <= '2026-11-03'),
      '2026-11-04',
    );
    const late = run(data, '2026-11-28');
    const width = (r: typeof late) => (r.forecast[0]?.upper_bound ?? 0) - (r.forecast[0]?.lower_bound ?? 0);
    assert.ok(width(late) < width(early), `${width(late)} < ${width(early)}`);
    for (const r of [early, late]) assert.ok((r.forecast[0]?.lower_bound ?? 0) >= (r.nowcast?.actual_to_date ?? 0));
  });

  it('reconciles services to the total at every horizon, a new service included', () => {
    const data = [
      ...days('2024-01-01', '2026-11-27', 4),
      ...days('2026-09-01', '2026-11-27', 1).map((d) => ({ ...d, service: 'New service' })),
    ];
    const report = run(data, '2026-11-28', params({ months: 12, byService: true }));
    const services = report.services ?? [];
    assert.equal(services.length, 5);
    assert.equal(services.find((s) => s.service === 'New service')?.model, 'Naive');
    report.forecast.forEach((total, h) => {
      const sum = services.reduce((a, s) => a + (s.forecast[h]?.forecast_value ?? NaN), 0);
      assert.ok(Math.abs(sum - total.forecast_value) <= 0.03, `${total.month}: ${sum} vs ${total.forecast_value}`);
    });
  });

  it('says what is missing when the history is too short', () => {
    const refusal = (data: ServiceDay[], today: string) => {
      try {
        run(data, today);
      } catch (error) {
        assert.ok(error instanceof AppError);
        assert.equal(error.status, 422);
        return error.message;
      }
      assert.fail('expected a 422');
    };
    assert.equal(
      refusal(days('2026-08-02', '2026-11-27'), '2026-11-28'),
      'A forecast needs 3 full months of cost history; has 2 (2026-09, 2026-10)',
    );
    assert.equal(
      refusal(days('2026-11-01', '2026-11-27'), '2026-11-28'),
      'A forecast needs 3 full months of cost history; has 0',
    );
    assert.match(refusal([], '2026-11-28'), /No cost data/);
    assert.match(refusal(days('2026-11-28', '2026-11-29'), '2026-11-28'), /No cost data/);
  });

  it('calls a trend only beyond the model’s typical error', () => {
    const cases: Array<[number, number[], number | null, string]> = [
      [100, [101, 102, 103], null, 'increasing'],
      [100, [101, 101, 101], null, 'stable'],
      [100, [98, 96, 94], null, 'decreasing'],
      [100, [101, 102, 103], 5, 'stable'],
      [100, [105, 110, 115], 5, 'increasing'],
      [100, [100], null, 'stable'],
      [0, [0, 0], null, 'stable'],
    ];
    for (const [last, values, mape, expected] of cases)
      assert.equal(trendOf(last, values, mape), expected, JSON.stringify([last, values, mape]));
    assert.equal(run(days('2024-01-01', '2026-11-27', 3, 0.05), '2026-11-28').trend, 'increasing');
    assert.equal(run(days('2024-01-01', '2026-11-27', 3, -0.05), '2026-11-28').trend, 'decreasing');
  });
});
