/**
 * Forecast accuracy measures with the definitions used by the M4 competition
 * and by the R reference figures in shared/data: sMAPE on a 0–200 scale,
 * MASE and MSIS scaled by the in-sample seasonal-naive MAE.
 */

/** Mean absolute percentage error (percent); actual zeros are skipped. */
export function mape(actual: ArrayLike<number>, fc: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    if (a === 0) continue;
    s += Math.abs((a - (fc[i] as number)) / a);
    c++;
  }
  return c > 0 ? (100 * s) / c : NaN;
}

/** Symmetric MAPE, 0–200 scale; a pair of zeros counts as a perfect forecast. */
export function smape(actual: ArrayLike<number>, fc: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const f = fc[i] as number;
    const d = Math.abs(a) + Math.abs(f);
    s += d === 0 ? 0 : (200 * Math.abs(a - f)) / d;
  }
  return s / actual.length;
}

/** In-sample MAE of the seasonal naive forecast (lag m, or 1 when history is shorter). */
export function naiveScale(train: ArrayLike<number>, m: number): number {
  const lag = m > 1 && train.length > m ? m : 1;
  let s = 0;
  let c = 0;
  for (let t = lag; t < train.length; t++) {
    s += Math.abs((train[t] as number) - (train[t - lag] as number));
    c++;
  }
  return c > 0 ? s / c : NaN;
}

/** Mean absolute scaled error. */
export function mase(actual: ArrayLike<number>, fc: ArrayLike<number>, scale: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs((actual[i] as number) - (fc[i] as number));
  return s / actual.length / scale;
}

/** Mean scaled interval score of a (1 − a) interval (a = 0.05 for 95 %). */
export function msis(
  actual: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  scale: number,
  a = 0.05,
): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i] as number;
    const l = lower[i] as number;
    const u = upper[i] as number;
    s += u - l + (y < l ? (2 / a) * (l - y) : 0) + (y > u ? (2 / a) * (y - u) : 0);
  }
  return s / actual.length / scale;
}

/** Share (0–1) of actual values inside [lower, upper]. */
export function coverage(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i] as number;
    if (y >= (lower[i] as number) && y <= (upper[i] as number)) c++;
  }
  return c / actual.length;
}

/** accuracy_score = 1 − MAPE (as a fraction), clamped to [0, 1]; 0 when MAPE is unknown. */
export function accuracyScore(mapePercent: number): number {
  if (!Number.isFinite(mapePercent)) return 0;
  return Math.min(1, Math.max(0, 1 - mapePercent / 100));
}
