// A small forecast answer for the tests: three full months, the current month so far, two ahead.
import type { ForecastReport } from './types.ts';

export function sampleReport(overrides: Partial<ForecastReport> = {}): ForecastReport {
  return {
    forecast: [
      { month: '2026-11', forecast_value: 1200, lower_bound: 1100, upper_bound: 1300, month_over_month_change: 9.09 },
      { month: '2026-12', forecast_value: 1300, lower_bound: 1150, upper_bound: 1450, month_over_month_change: 8.33 },
    ],
    anomalies: [],
    accuracy_score: 0.94,
    service_breakdown: [
      { service: 'EC2', projected_cost: 1500, percentage: 60 },
      { service: 'RDS', projected_cost: 750, percentage: 30 },
      { service: 'S3', projected_cost: 250, percentage: 10 },
    ],
    trend: 'increasing',
    historical_months: 3,
    generated_at: '2026-11-28T08:00:00.000Z',
    as_of: '2026-11-27',
    model: 'Theta',
    interval_level: 80,
    backtest: { mape: 6, smape: 6.1, mase: 0.4, msis: 3, coverage: 0.8, origins: 2, horizon: 2 },
    currency: 'USD',
    history: [
      { month: '2026-08', actual: 900, partial: false },
      { month: '2026-09', actual: 1000, partial: false },
      { month: '2026-10', actual: 1100, partial: false },
      { month: '2026-11', actual: 950, partial: true },
    ],
    nowcast: {
      month: '2026-11',
      actual_to_date: 950,
      remaining: 250,
      forecast_value: 1200,
      days_elapsed: 27,
      days_in_month: 30,
    },
    ...overrides,
  };
}
