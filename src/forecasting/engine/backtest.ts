/**
 * Rolling-origin backtest: refit at several origins before the end of the
 * history, forecast the points that follow and score them. This is what
 * `accuracy_score` and the reported coverage are based on, so they measure
 * the method actually used rather than an in-sample fit.
 */
import type { Method } from './forecast.ts';
import { runMethod } from './forecast.ts';
import { accuracyScore, coverage, mape, mase, msis, naiveScale, smape } from './metrics.ts';

/** Backtest summary: errors averaged over origins; coverage per level (0–1). */
export interface BacktestResult {
  origins: number;
  horizon: number;
  mape: number;
  smape: number;
  mase: number;
  msis: number;
  coverage: { level: number; coverage: number }[];
  /** 1 − MAPE clamped to [0, 1]. */
  accuracyScore: number;
}

/** Options: horizon per origin, at most `origins` origins spaced `step` apart, interval levels (fractions). */
export interface BacktestOptions {
  horizon: number;
  origins?: number;
  step?: number;
  levels?: number[];
  method?: Method;
}

/**
 * Runs the backtest; null when history is too short for even one origin
 * with at least max(3, m + 1) training points.
 */
export function backtest(y: ArrayLike<number>, m: number, opts: BacktestOptions): BacktestResult | null {
  const n = y.length;
  const levels = opts.levels ?? [0.8, 0.95];
  const minTrain = Math.max(3, Math.min(2 * m + 2, Math.floor(n / 2)));
  const H = Math.max(1, Math.min(opts.horizon, n - minTrain));
  if (n - H < minTrain) return null;
  const step = Math.max(1, opts.step ?? Math.max(1, Math.floor(H / 2)));
  const maxOrigins = Math.max(1, opts.origins ?? 3);
  const acc = { mape: [] as number[], smape: [] as number[], mase: [] as number[], msis: [] as number[] };
  const cov = levels.map(() => [] as number[]);
  let used = 0;
  for (let k = 0; k < maxOrigins; k++) {
    const o = n - H - k * step;
    if (o < minTrain) break;
    const train = Array.prototype.slice.call(y, 0, o) as number[];
    const actual = Array.prototype.slice.call(y, o, o + H) as number[];
    const fc = runMethod(train, m, H, levels.includes(0.95) ? levels : [...levels, 0.95], opts.method ?? 'auto');
    const scale = naiveScale(train, m);
    acc.mape.push(mape(actual, fc.mean));
    acc.smape.push(smape(actual, fc.mean));
    if (scale > 0) acc.mase.push(mase(actual, fc.mean, scale));
    const b95 = fc.intervals.find((b) => b.level === 0.95);
    if (b95 && scale > 0) acc.msis.push(msis(actual, b95.lower, b95.upper, scale));
    levels.forEach((level, i) => {
      const b = fc.intervals.find((x) => x.level === level);
      if (b) cov[i]?.push(coverage(actual, b.lower, b.upper));
    });
    used++;
  }
  const avg = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const mapeV = avg(acc.mape.filter(Number.isFinite));
  return {
    origins: used,
    horizon: H,
    mape: mapeV,
    smape: avg(acc.smape),
    mase: avg(acc.mase),
    msis: avg(acc.msis),
    coverage: levels.map((level, i) => ({ level, coverage: avg(cov[i] ?? []) })),
    accuracyScore: accuracyScore(mapeV),
  };
}
