/**
 * Scores one method on one series: forecast `test` from `train` and compute
 * the competition metrics. Shared by the worker threads and the regression
 * test so both measure exactly the same thing.
 */
import { runMethod, type Method } from '../../src/forecasting/engine/forecast.ts';
import { coverage, mape, mase, msis, naiveScale, smape } from '../../src/forecasting/engine/metrics.ts';
import type { BenchSeries } from './data.ts';

/** The competition metrics, and seconds spent forecasting. */
export interface Metrics {
  mape: number;
  smape: number;
  mase: number;
  msis: number;
  cov80: number;
  cov95: number;
  sec: number;
}

/** Metrics of one method on one series. */
export interface SeriesScore extends Metrics {
  key: string;
  method: string;
  model: string;
}

/** Group key of a series: collection and period. */
export function groupKey(s: BenchSeries): string {
  return `${s.collection} ${s.period}`;
}

/** Forecasts one series with one method and scores it against its test part. */
export function scoreSeries(s: BenchSeries, method: Method): SeriesScore {
  const H = s.test.length;
  const t0 = performance.now();
  const fc = runMethod(s.train, s.frequency, H, [0.8, 0.95], method);
  const sec = (performance.now() - t0) / 1000;
  const scale = naiveScale(s.train, s.frequency);
  const [b80, b95] = fc.intervals;
  if (!b80 || !b95) throw new Error('missing intervals');
  return {
    key: groupKey(s),
    method,
    model: fc.model,
    mape: mape(s.test, fc.mean),
    smape: smape(s.test, fc.mean),
    mase: mase(s.test, fc.mean, scale),
    msis: msis(s.test, b95.lower, b95.upper, scale),
    cov80: coverage(s.test, b80.lower, b80.upper),
    cov95: coverage(s.test, b95.lower, b95.upper),
    sec,
  };
}

/** Mean of each metric over a set of scores. */
export interface Summary extends Metrics {
  n: number;
}

/** Averages scores (series with a non-finite metric, e.g. a zero MASE scale, are skipped for that metric). */
export function summarise(scores: SeriesScore[]): Summary {
  const avg = (f: (s: SeriesScore) => number): number => {
    let t = 0;
    let c = 0;
    for (const s of scores) {
      const v = f(s);
      if (Number.isFinite(v)) {
        t += v;
        c++;
      }
    }
    return c > 0 ? t / c : NaN;
  };
  return {
    n: scores.length,
    mape: avg((s) => s.mape),
    smape: avg((s) => s.smape),
    mase: avg((s) => s.mase),
    msis: avg((s) => s.msis),
    cov80: avg((s) => s.cov80),
    cov95: avg((s) => s.cov95),
    sec: avg((s) => s.sec),
  };
}
