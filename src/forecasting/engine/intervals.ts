/**
 * Prediction intervals calibrated from rolling-origin forecast errors, by
 * horizon. Model-based variances understate real uncertainty (parameter and
 * model-choice error), so the combination's intervals are set from how far
 * its own h-step forecasts missed in the past.
 */
import type { Band } from './ets-intervals.ts';
import { zForLevel } from './stats.ts';

/** Tuning of {@link calibratedIntervals}. */
export interface CalibrationOptions {
  /** Work with log(y/ŷ) (positive data) so widths scale with the level. */
  relative: boolean;
  /** When > 0 (and not relative), errors are divided by the local level (mean |y| over this many points before the origin). */
  levelWindow?: number;
  /** The local level at the forecast origin, multiplying the scale. */
  level?: number;
  /** Multiplier on the in-sample error scale (in-sample errors are optimistic). */
  inflate: number;
}

/**
 * Horizon-wise error scale σ_h (root mean square of past h-step errors),
 * made non-decreasing in h and extrapolated as √h beyond the horizons the
 * history can check. `rows[r][h-1]` is the h-step forecast made after
 * `minOrigin + r` observations.
 */
export function errorScaleByHorizon(
  y: ArrayLike<number>,
  rows: Float64Array[],
  minOrigin: number,
  H: number,
  relative: boolean,
): Float64Array {
  return horizonErrors(y, rows, minOrigin, H, relative).sigma;
}

/** Mean |y| over the `w` points before index `o`: a scale for data with zeros whose level drifts. */
export function localLevel(y: ArrayLike<number>, o: number, w: number): number {
  let s = 0;
  let c = 0;
  for (let t = Math.max(0, o - w); t < o; t++) {
    s += Math.abs(y[t] as number);
    c++;
  }
  return c > 0 ? s / c : NaN;
}

/** Horizon-wise error scale σ_h; see {@link errorScaleByHorizon}. */
export interface HorizonErrors {
  sigma: Float64Array;
}

/** Computes {@link HorizonErrors}, optionally with errors divided by the local level. */
export function horizonErrors(
  y: ArrayLike<number>,
  rows: Float64Array[],
  minOrigin: number,
  H: number,
  relative: boolean,
  levelWindow = 0,
): HorizonErrors {
  const n = y.length;
  const sum = new Float64Array(H);
  const cnt = new Float64Array(H);
  for (let r = 0; r < rows.length; r++) {
    const o = minOrigin + r;
    const row = rows[r] as Float64Array;
    const lev = levelWindow > 0 ? localLevel(y, o, levelWindow) : 1;
    if (!(lev > 0)) continue;
    for (let h = 1; h <= H && o + h - 1 < n; h++) {
      const actual = y[o + h - 1] as number;
      const f = row[h - 1] as number;
      let e: number;
      if (relative) {
        if (!(f > 0)) continue;
        e = Math.log(actual / f);
      } else e = (actual - f) / lev;
      if (!Number.isFinite(e)) continue;
      sum[h - 1] = (sum[h - 1] as number) + e * e;
      cnt[h - 1] = (cnt[h - 1] as number) + 1;
    }
  }
  const sigma = new Float64Array(H);
  let lastGood = -1;
  for (let h = 0; h < H; h++) {
    if ((cnt[h] as number) >= 3) {
      sigma[h] = Math.sqrt((sum[h] as number) / (cnt[h] as number));
      lastGood = h;
    } else if (lastGood >= 0) {
      sigma[h] = (sigma[lastGood] as number) * Math.sqrt((h + 1) / (lastGood + 1));
    } else sigma[h] = NaN;
    if (h > 0 && (sigma[h] as number) < (sigma[h - 1] as number)) sigma[h] = sigma[h - 1] as number;
  }
  return { sigma };
}

/** Central intervals around `mean` from a horizon-wise error scale. */
export function intervalsFromScale(
  mean: ArrayLike<number>,
  sigma: ArrayLike<number>,
  levels: number[],
  opts: CalibrationOptions,
): Band[] {
  const H = mean.length;
  return levels.map((level) => {
    const z = zForLevel(level) * opts.inflate;
    const lower: number[] = [];
    const upper: number[] = [];
    for (let h = 0; h < H; h++) {
      const f = mean[h] as number;
      const s = sigma[h] as number;
      if (opts.relative && f > 0) {
        lower.push(f * Math.exp(-z * s));
        upper.push(f * Math.exp(z * s));
      } else {
        const sc = s * (opts.level ?? 1);
        lower.push(f - z * sc);
        upper.push(f + z * sc);
      }
    }
    return { level, lower, upper };
  });
}

/** Clamps lower (and upper) bounds at zero: costs cannot be negative. */
export function truncateAtZero(bands: Band[]): Band[] {
  return bands.map((b) => ({
    level: b.level,
    lower: b.lower.map((v) => Math.max(0, v)),
    upper: b.upper.map((v) => Math.max(0, v)),
  }));
}

/**
 * Makes a set of bands nest (a higher level is never narrower) and widen
 * with the horizon, repairing any numerical non-monotonicity.
 */
export function enforceNesting(bands: Band[], mean: ArrayLike<number>): Band[] {
  const sorted = [...bands].sort((a, b) => a.level - b.level);
  for (const b of sorted) {
    for (let h = 0; h < b.lower.length; h++) {
      const f = mean[h] as number;
      if ((b.lower[h] as number) > f) b.lower[h] = f;
      if ((b.upper[h] as number) < f) b.upper[h] = f;
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as Band;
    const cur = sorted[i] as Band;
    for (let h = 0; h < cur.lower.length; h++) {
      cur.lower[h] = Math.min(cur.lower[h] as number, prev.lower[h] as number);
      cur.upper[h] = Math.max(cur.upper[h] as number, prev.upper[h] as number);
    }
  }
  return bands;
}

/**
 * Makes every band widen with the horizon: the distance from the mean to
 * each bound is never smaller than at the same season one cycle earlier
 * (`lag` = the seasonal period; 1 for non-seasonal data, i.e. never shrinks
 * at all). Distances are relative to the mean when all means are positive
 * (a seasonal low is narrower in money but not in percent), absolute
 * otherwise. Within a cycle widths may follow the seasonal pattern.
 */
export function enforceWidening(bands: Band[], mean: ArrayLike<number>, lag = 1): Band[] {
  const H = mean.length;
  const step = Math.max(1, Math.floor(lag));
  let positive = true;
  for (let h = 0; h < H; h++) if (!((mean[h] as number) > 0)) positive = false;
  for (const b of bands) {
    const lo = new Float64Array(H);
    const up = new Float64Array(H);
    for (let h = 0; h < H; h++) {
      const f = mean[h] as number;
      const unit = positive ? f : 1;
      lo[h] = Math.max((f - (b.lower[h] as number)) / unit, h >= step ? (lo[h - step] as number) : 0);
      up[h] = Math.max(((b.upper[h] as number) - f) / unit, h >= step ? (up[h - step] as number) : 0);
      b.lower[h] = f - (lo[h] as number) * unit;
      b.upper[h] = f + (up[h] as number) * unit;
    }
  }
  return bands;
}
