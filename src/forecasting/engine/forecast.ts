/**
 * Method dispatch: turns a series and a method name into point forecasts
 * and intervals (levels as fractions). The public `forecast` in index.ts
 * validates input and adds the backtest around this.
 */
import { drift, naive, seasonalNaive } from './baselines.ts';
import { calibratedBands, combine, fitCombinationParts } from './combination.ts';
import { candidateForecast, selectByHoldout, type Candidate } from './selection.ts';
import { autoEts, bestWhere } from './ets-select.ts';
import { etsForecastMean, etsIntervals, type Band } from './ets-intervals.ts';
import { etsName } from './ets-model.ts';
import { enforceNesting, enforceWidening, truncateAtZero } from './intervals.ts';
import { allNonNegative, isConstant } from './series.ts';
import { combinationBands } from './comb-intervals.ts';
import { fitTheta, thetaForecastMean, thetaIntervals } from './theta.ts';

/**
 * Names accepted by `forecast`. 'auto' is the engine's choice: the trimmed
 * combination of ETS, Theta and damped ETS for seasonal data, and for
 * non-seasonal data the candidate chosen on a hold-out block ('cv'). 'comb'
 * is the plain mean; 'cv' always picks per series among the combinations and
 * their members by rolling-origin hold-out error.
 */
export const METHODS = ['auto', 'comb', 'trimmed', 'cv', 'ets', 'theta', 'damped', 'naive', 'snaive', 'drift'] as const;
export type Method = (typeof METHODS)[number];

/** Forecast of one method: model description, means and bands (levels as fractions). */
export interface MethodForecast {
  model: string;
  mean: number[];
  intervals: Band[];
}

/** Widens bands so each is at least as wide, around `mean`, as the reference bands. */
function atLeastAsWide(mean: ArrayLike<number>, bands: Band[], ref: Band[]): Band[] {
  return bands.map((b, i) => {
    const r = ref[i] as Band;
    const lower = b.lower.map((v, h) =>
      Math.min(v, (mean[h] as number) - ((r.upper[h] as number) - (r.lower[h] as number)) / 2),
    );
    const upper = b.upper.map((v, h) =>
      Math.max(v, (mean[h] as number) + ((r.upper[h] as number) - (r.lower[h] as number)) / 2),
    );
    return { level: b.level, lower, upper };
  });
}

function flat(y: ArrayLike<number>, H: number, levels: number[]): MethodForecast {
  const v = y[y.length - 1] as number;
  const mean = Array.from({ length: H }, () => v);
  return { model: 'Constant', mean, intervals: levels.map((level) => ({ level, lower: [...mean], upper: [...mean] })) };
}

function runRaw(
  y: ArrayLike<number>,
  m: number,
  H: number,
  levels: number[],
  method: Method,
  seed: number,
): MethodForecast {
  switch (method) {
    case 'naive':
      return { model: 'Naive', ...naive(y, H, levels) };
    case 'snaive':
      return { model: 'SeasonalNaive', ...seasonalNaive(y, m, H, levels) };
    case 'drift':
      return { model: 'Drift', ...drift(y, H, levels) };
    case 'theta': {
      const fit = fitTheta(y, m);
      const mean = thetaForecastMean(fit, H);
      return {
        model: fit.season ? 'Theta(seasonal)' : 'Theta',
        mean: Array.from(mean),
        intervals: thetaIntervals(fit, mean, H, levels),
      };
    }
    case 'ets':
    case 'damped': {
      const auto = autoEts(y, m);
      const fit = auto ? (method === 'ets' ? auto.best : bestWhere(auto.fits, (s) => s.trend === 'Ad')) : null;
      if (!fit) return runRaw(y, m, H, levels, 'naive', seed);
      const mean = etsForecastMean(fit, H);
      return { model: etsName(fit.spec), mean: Array.from(mean), intervals: etsIntervals(fit, mean, H, levels, seed) };
    }
    case 'auto':
    case 'comb':
    case 'trimmed':
    case 'cv': {
      let which: Candidate = method === 'comb' ? 'comb' : 'trimmed';
      // Per-series selection on a hold-out block pays off for non-seasonal data (where it
      // mostly decides how much trend to extrapolate); for seasonal data one block is too
      // short a judge and the trimmed combination is better on average.
      if (method === 'cv' || (method === 'auto' && m === 1)) which = selectByHoldout(y, m, H).choice;
      let parts = fitCombinationParts(y, m, H, false);
      let comb = candidateForecast(parts, which, H) ?? combine(parts.components, H);
      let bands = combinationBands(y, parts, comb, levels, seed);
      if (!bands) {
        // No ETS model (very short history): calibrate on in-sample h-step errors instead.
        parts = fitCombinationParts(y, m, H, true);
        comb = candidateForecast(parts, which, H) ?? combine(parts.components, H);
        bands = calibratedBands(y, m, comb, parts.minOrigin, levels, 1, 2);
      }
      const ref = naive(y, H, levels).intervals;
      return {
        model: comb.name,
        mean: Array.from(comb.mean),
        intervals: bands ?? atLeastAsWide(comb.mean, thetaIntervals(fitTheta(y, m), comb.mean, H, levels), ref),
      };
    }
  }
}

/**
 * Runs one method on raw values. Handles the degenerate cases (constant or
 * very short series), truncates at zero for non-negative data and makes the
 * bands nest and contain the mean.
 */
export function runMethod(
  y: ArrayLike<number>,
  m: number,
  H: number,
  levels: number[],
  method: Method,
  seed = 42,
): MethodForecast {
  let out: MethodForecast;
  if (y.length === 0) throw new RangeError('forecast needs at least one observation');
  if (isConstant(y)) out = flat(y, H, levels);
  else if (y.length < 3 && method !== 'naive') out = runRaw(y, m, H, levels, 'naive', seed);
  else out = runRaw(y, m, H, levels, method, seed);
  let intervals = enforceNesting(
    enforceWidening(out.intervals, out.mean, m > 1 && y.length >= 2 * m ? m : 1),
    out.mean,
  );
  if (allNonNegative(y)) {
    intervals = truncateAtZero(intervals);
    out.mean = out.mean.map((v) => Math.max(0, v));
  }
  return { ...out, intervals };
}
