/**
 * Cost-forecasting engine — pure functions, no I/O.
 *
 * ```ts
 * import { forecast, aggregateDailyToMonthly, monthLabels } from './engine/index.ts';
 * const months = aggregateDailyToMonthly(records);            // [{month:'2024-01', total, partial}, …]
 * const full = months.filter((m) => !m.partial);
 * const fc = forecast({ values: full.map((m) => m.total), frequency: 12 },
 *                     { horizon: 6, levels: [80, 95], backtest: true });
 * // fc.model: 'Trimmed(ETS(M,A,M), Theta, ETS(M,Ad,M))'; fc.mean[h]; fc.intervals[i] = {level, lower, upper}
 * // fc.backtest: {mape, smape, mase, msis, coverage, accuracyScore}
 * const labels = monthLabels(full.at(-1)!.month, 6);            // the months forecast
 * ```
 *
 * Methods: 'auto' (default; trimmed combination of automatic ETS, Theta and
 * damped ETS with calibrated intervals), 'comb' (their mean), 'cv' (per
 * series choice on a hold-out block), 'ets', 'theta', 'damped', 'naive',
 * 'snaive', 'drift'. Levels are percentages 50–99 (or fractions 0.5–0.99);
 * intervals nest, widen with the horizon and are never negative for
 * non-negative input. Works from one observation (naive, wide intervals)
 * upward; deterministic (simulations are seeded by `seed`).
 */
import { backtest, type BacktestResult } from './backtest.ts';
import { METHODS, runMethod, type Method } from './forecast.ts';
import type { Series } from './series.ts';

export {
  aggregateDailyToMonthly,
  monthLabels,
  addMonths,
  daysInMonth,
  isLeapYear,
  SEASONAL_PERIODS,
} from './calendar.ts';
export type { DailyRecord, MonthTotal } from './calendar.ts';
export { backtest } from './backtest.ts';
export type { BacktestResult } from './backtest.ts';
export { METHODS } from './forecast.ts';
export type { Method } from './forecast.ts';
export type { Series } from './series.ts';
export { accuracyScore } from './metrics.ts';

/** Options of {@link forecast}. */
export interface ForecastOptions {
  horizon: number;
  /** Interval levels in percent (50–99) or as fractions; default [80, 95]. */
  levels?: number[];
  method?: Method;
  /** Also run a rolling-origin backtest of the method (costs a few refits). */
  backtest?: boolean;
  /** Seed of simulated intervals. */
  seed?: number;
}

/** One prediction interval, at the level as requested. */
export interface ForecastInterval {
  level: number;
  lower: number[];
  upper: number[];
}

/** Result of {@link forecast}. */
export interface ForecastResult {
  model: string;
  method: Method;
  mean: number[];
  intervals: ForecastInterval[];
  backtest?: BacktestResult;
}

/** Forecasts `horizon` steps of a series with prediction intervals; see the module comment. */
export function forecast(series: Series, options: ForecastOptions): ForecastResult {
  const { values, frequency } = series;
  const H = options.horizon;
  if (!Number.isInteger(H) || H < 1) throw new RangeError('horizon must be a positive integer');
  if (!Number.isInteger(frequency) || frequency < 1) throw new RangeError('frequency must be a positive integer');
  if (values.length === 0) throw new RangeError('series has no values');
  if (!values.every(Number.isFinite)) throw new RangeError('series values must be finite numbers');
  const method = options.method ?? 'auto';
  if (!METHODS.includes(method)) throw new RangeError(`unknown method ${String(method)}`);
  const requested = options.levels ?? [80, 95];
  const fractions = requested.map((l) => (l > 1 ? l / 100 : l));
  for (const f of fractions)
    if (!(f >= 0.5 && f <= 0.99)) throw new RangeError('levels must be between 50 and 99 percent');
  const fc = runMethod(values, frequency, H, fractions, method, options.seed ?? 42);
  const result: ForecastResult = {
    model: fc.model,
    method,
    mean: fc.mean,
    intervals: fc.intervals.map((b, i) => ({ level: requested[i] as number, lower: b.lower, upper: b.upper })),
  };
  if (options.backtest) {
    const bt = backtest(values, frequency, { horizon: H, levels: fractions, method });
    if (bt)
      result.backtest = {
        ...bt,
        coverage: bt.coverage.map((c, i) => ({ level: requested[i] as number, coverage: c.coverage })),
      };
  }
  return result;
}
