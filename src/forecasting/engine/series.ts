/**
 * Series helpers: autocorrelation, the seasonality test used by Theta, and
 * classical decomposition (for seasonal adjustment and ETS initial states).
 */
import { qnorm } from './stats.ts';

/** A regularly spaced series; `frequency` is the seasonal period (12 monthly, 4 quarterly, 1 yearly, 7 daily-weekly). */
export interface Series {
  values: number[];
  frequency: number;
}

/** True when every value is finite and > 0 (multiplicative models need it). */
export function allPositive(y: ArrayLike<number>): boolean {
  for (let i = 0; i < y.length; i++) if (!((y[i] as number) > 0)) return false;
  return y.length > 0;
}

/** True when every value is ≥ 0 (intervals are then truncated at zero). */
export function allNonNegative(y: ArrayLike<number>): boolean {
  for (let i = 0; i < y.length; i++) if (!((y[i] as number) >= 0)) return false;
  return true;
}

/** True when the series does not vary (models then degenerate to a flat line). */
export function isConstant(y: ArrayLike<number>): boolean {
  for (let i = 1; i < y.length; i++) if (y[i] !== y[0]) return false;
  return true;
}

/** Sample autocorrelations r_1..r_maxLag (R's `acf` definition, biased denominator). */
export function acf(y: ArrayLike<number>, maxLag: number): number[] {
  const n = y.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += y[i] as number;
  mu /= n;
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += ((y[i] as number) - mu) ** 2;
  const r: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let ck = 0;
    for (let i = k; i < n; i++) ck += ((y[i] as number) - mu) * ((y[i - k] as number) - mu);
    r.push(c0 > 0 ? ck / c0 : 0);
  }
  return r;
}

/**
 * 90 % one-sided ACF test at lag m, as in R's `thetaf`: seasonal when
 * |r_m| exceeds 1.645 times its Bartlett standard error. Needs n > 2m.
 */
export function isSeasonal(y: ArrayLike<number>, m: number): boolean {
  const n = y.length;
  if (m <= 1 || n <= 2 * m || isConstant(y)) return false;
  const r = acf(y, m);
  let s = 1;
  for (let k = 0; k < m - 1; k++) s += 2 * (r[k] as number) ** 2;
  const stat = Math.sqrt(s / n);
  return Math.abs(r[m - 1] as number) / stat > qnorm(0.95);
}

/** Centred moving average of order m (2×m for even m); NaN where undefined. */
export function centredMovingAverage(y: ArrayLike<number>, m: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n).fill(NaN);
  if (m % 2 === 1) {
    const k = (m - 1) / 2;
    for (let t = k; t < n - k; t++) {
      let s = 0;
      for (let j = -k; j <= k; j++) s += y[t + j] as number;
      out[t] = s / m;
    }
  } else {
    const k = m / 2;
    for (let t = k; t < n - k; t++) {
      let s = 0.5 * ((y[t - k] as number) + (y[t + k] as number));
      for (let j = -k + 1; j <= k - 1; j++) s += y[t + j] as number;
      out[t] = s / m;
    }
  }
  return out;
}

/**
 * Classical decomposition seasonal indices (R's `decompose`): the average
 * detrended value per season position, normalised to mean 1 (multiplicative)
 * or 0 (additive). Index j is the position of time index j (0-based) mod m.
 */
export function seasonalIndices(y: ArrayLike<number>, m: number, type: 'additive' | 'multiplicative'): Float64Array {
  const n = y.length;
  const trend = centredMovingAverage(y, m);
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  for (let t = 0; t < n; t++) {
    const tr = trend[t] as number;
    if (Number.isNaN(tr)) continue;
    const v = type === 'multiplicative' ? (y[t] as number) / tr : (y[t] as number) - tr;
    if (!Number.isFinite(v)) continue;
    sums[t % m] = (sums[t % m] as number) + v;
    counts[t % m] = (counts[t % m] as number) + 1;
  }
  const idx = new Float64Array(m);
  let tot = 0;
  for (let j = 0; j < m; j++) {
    const c = counts[j] as number;
    idx[j] = c > 0 ? (sums[j] as number) / c : type === 'multiplicative' ? 1 : 0;
    tot += idx[j] as number;
  }
  const avg = tot / m;
  for (let j = 0; j < m; j++) idx[j] = type === 'multiplicative' ? (idx[j] as number) / avg : (idx[j] as number) - avg;
  return idx;
}
