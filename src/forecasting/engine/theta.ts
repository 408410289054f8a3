/**
 * The Theta method (Assimakopoulos & Nikolopoulos 2000) in the form of
 * Hyndman & Billah (2003) and R's `thetaf`: simple exponential smoothing
 * with drift equal to half the linear-regression slope, on data seasonally
 * adjusted by classical multiplicative decomposition of the last few cycles
 * when the 90 % ACF test finds seasonality.
 */
import { fitEts, type EtsFit } from './ets-fit.ts';
import { allNonNegative, isSeasonal, seasonalIndices } from './series.ts';
import { linearFit, zForLevel } from './stats.ts';
import type { Band } from './ets-intervals.ts';

/** A fitted Theta model. */
export interface ThetaFit {
  /** Multiplicative seasonal indices by time index mod m, or null if not seasonal. */
  season: Float64Array | null;
  m: number;
  ses: EtsFit | null;
  alpha: number;
  /** Drift per step (half the regression slope). */
  drift: number;
  /** Adjusted data, kept for in-sample multi-step errors. */
  adjusted: Float64Array;
  sigma2: number;
}

/**
 * Complete cycles the seasonal indices are estimated from. Seasonality evolves: indices averaged
 * over a long history (tourism series span decades) misfit its recent shape. Chosen on the
 * odd-indexed monthly series of the development data and confirmed on the even-indexed ones.
 */
export const SEASON_CYCLES = 5;

/**
 * Classical multiplicative indices from the last (up to) SEASON_CYCLES complete cycles, indexed by
 * time index mod m of the whole series.
 */
function recentSeasonalIndices(y: ArrayLike<number>, m: number): Float64Array {
  const n = y.length;
  const start = n - Math.min(Math.floor(n / m), SEASON_CYCLES) * m;
  const recent = seasonalIndices(Array.prototype.slice.call(y, start) as number[], m, 'multiplicative');
  const season = new Float64Array(m);
  for (let j = 0; j < m; j++) season[(start + j) % m] = recent[j] as number;
  return season;
}

/** Fits Theta; works from 3 points (falls back to a flat level when SES cannot be fitted). */
export function fitTheta(y: ArrayLike<number>, m: number): ThetaFit {
  const n = y.length;
  let season: Float64Array | null = null;
  if (m > 1 && allNonNegative(y) && isSeasonal(y, m)) {
    season = recentSeasonalIndices(y, m);
    // As in R's thetaf: indices near zero would blow up the adjustment.
    if (season.some((v) => !(v > 1e-4) || !Number.isFinite(v))) season = null;
  }
  const adjusted = new Float64Array(n);
  for (let t = 0; t < n; t++) adjusted[t] = season ? (y[t] as number) / (season[t % m] as number) : (y[t] as number);
  const ses = fitEts(adjusted, 1, { error: 'A', trend: 'N', season: 'N' });
  const alpha = Math.max(1e-10, ses ? ses.params.alpha : 0.5);
  const drift = n >= 2 ? linearFit(adjusted).slope / 2 : 0;
  let sigma2 = ses ? ses.sigma2 : 0;
  if (!ses) {
    let s = 0;
    for (let t = 1; t < n; t++) s += ((adjusted[t] as number) - (adjusted[t - 1] as number)) ** 2;
    sigma2 = n > 1 ? s / (n - 1) : 0;
  }
  return { season, m, ses, alpha, drift, adjusted, sigma2 };
}

/** Theta point forecasts for h = 1..H given the level after `n` observations. */
function thetaPath(fit: ThetaFit, level: number, n: number, H: number): Float64Array {
  const a = fit.alpha;
  const out = new Float64Array(H);
  const base = (1 - Math.pow(1 - a, n)) / a;
  for (let h = 0; h < H; h++) {
    let f = level + fit.drift * (h + base);
    if (fit.season) f *= fit.season[(n + h) % fit.m] as number;
    out[h] = f;
  }
  return out;
}

/** Point forecasts of a fitted Theta model. */
export function thetaForecastMean(fit: ThetaFit, H: number): Float64Array {
  const n = fit.adjusted.length;
  const level = fit.ses ? fit.ses.state.l : (fit.adjusted[n - 1] as number);
  return thetaPath(fit, level, n, H);
}

/**
 * In-sample forecasts from every origin o ≥ minOrigin with the fitted
 * parameters held fixed: row o−minOrigin holds the h-step forecasts made
 * after o observations. Cheap input for interval calibration.
 */
export function thetaInSample(fit: ThetaFit, H: number, minOrigin: number): Float64Array[] {
  const n = fit.adjusted.length;
  const rows: Float64Array[] = [];
  let l = fit.ses ? fit.ses.params.l0 : (fit.adjusted[0] as number);
  const a = fit.alpha;
  for (let o = 1; o <= n; o++) {
    l = l + a * ((fit.adjusted[o - 1] as number) - l);
    if (o >= minOrigin && o < n) rows.push(thetaPath(fit, l, o, H));
  }
  return rows;
}

/** R-style Theta intervals: SES variance σ²(1 + α²(h−1)), re-seasonalised. */
export function thetaIntervals(fit: ThetaFit, mean: ArrayLike<number>, H: number, levels: number[]): Band[] {
  const n = fit.adjusted.length;
  return levels.map((level) => {
    const z = zForLevel(level);
    const lower: number[] = [];
    const upper: number[] = [];
    for (let h = 0; h < H; h++) {
      let sd = Math.sqrt(fit.sigma2 * (1 + fit.alpha * fit.alpha * h));
      if (fit.season) sd *= fit.season[(n + h) % fit.m] as number;
      lower.push((mean[h] as number) - z * sd);
      upper.push((mean[h] as number) + z * sd);
    }
    return { level, lower, upper };
  });
}
