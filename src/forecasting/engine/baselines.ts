/**
 * Benchmark forecasts: naive, seasonal naive and random walk with drift,
 * with the textbook Gaussian intervals (Hyndman & Athanasopoulos, FPP3 §5.5).
 * Every accuracy claim is made relative to these.
 */
import { zForLevel } from './stats.ts';
import type { Band } from './ets-intervals.ts';

/** Point forecasts and intervals of a baseline. */
export interface SimpleForecast {
  mean: number[];
  intervals: Band[];
}

function bands(mean: number[], sd: (h: number) => number, levels: number[]): Band[] {
  return levels.map((level) => {
    const z = zForLevel(level);
    return {
      level,
      lower: mean.map((f, i) => f - z * sd(i + 1)),
      upper: mean.map((f, i) => f + z * sd(i + 1)),
    };
  });
}

function residualSd(y: ArrayLike<number>, lag: number, drift = 0): number {
  let s = 0;
  let c = 0;
  for (let t = lag; t < y.length; t++) {
    const e = (y[t] as number) - (y[t - lag] as number) - drift;
    s += e * e;
    c++;
  }
  return c > 0 ? Math.sqrt(s / c) : 0;
}

/** Last value carried forward; sd grows as √h. */
export function naive(y: ArrayLike<number>, H: number, levels: number[]): SimpleForecast {
  const last = y[y.length - 1] as number;
  const mean = Array.from({ length: H }, () => last);
  const s = residualSd(y, 1);
  return { mean, intervals: bands(mean, (h) => s * Math.sqrt(h), levels) };
}

/** Value of the same season last cycle; sd grows with the number of whole cycles ahead. */
export function seasonalNaive(y: ArrayLike<number>, m: number, H: number, levels: number[]): SimpleForecast {
  const n = y.length;
  if (m <= 1 || n < m) return naive(y, H, levels);
  const mean = Array.from({ length: H }, (_, i) => y[n - m + (i % m)] as number);
  const s = residualSd(y, m);
  return { mean, intervals: bands(mean, (h) => s * Math.sqrt(Math.floor((h - 1) / m) + 1), levels) };
}

/** Straight line from the first to the last value, extended; sd includes drift uncertainty. */
export function drift(y: ArrayLike<number>, H: number, levels: number[]): SimpleForecast {
  const n = y.length;
  if (n < 2) return naive(y, H, levels);
  const last = y[n - 1] as number;
  const d = (last - (y[0] as number)) / (n - 1);
  const mean = Array.from({ length: H }, (_, i) => last + d * (i + 1));
  const s = residualSd(y, 1, d);
  return { mean, intervals: bands(mean, (h) => s * Math.sqrt(h * (1 + h / (n - 1))), levels) };
}
