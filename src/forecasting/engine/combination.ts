/**
 * The combination forecast: the equal-weight mean of automatic ETS, Theta
 * and the best damped-trend ETS. Combining these is the most reliable
 * simple improvement over any single model in the M3/M4 competitions.
 * Its intervals are calibrated from horizon-wise in-sample errors of the
 * combined forecast.
 */
import { autoEts, bestWhere } from './ets-select.ts';
import type { EtsFit } from './ets-fit.ts';
import { etsForecastMean, type Band } from './ets-intervals.ts';
import { etsInSample } from './ets-insample.ts';
import { etsName } from './ets-model.ts';
import { fitTheta, thetaForecastMean, thetaInSample } from './theta.ts';
import { horizonErrors, intervalsFromScale, localLevel } from './intervals.ts';
import { allNonNegative, allPositive } from './series.ts';

/** One member of a combination: its name, forecasts and in-sample multi-step forecasts. */
export interface Component {
  name: string;
  /** Which member this is ('ets', 'theta', 'damped'), or a combination rule. */
  role: string;
  mean: Float64Array;
  rows: Float64Array[];
}

/** Fitted pieces reused by selection and by the stand-alone methods. */
export interface CombinationParts {
  ets: EtsFit | null;
  damped: EtsFit | null;
  components: Component[];
  minOrigin: number;
}

/** Default error-scale inflation for in-sample errors (they are optimistic). */
export const DEFAULT_INFLATE = 1.0;

/** First origin used for in-sample errors: enough data for the states to settle. */
export function burnIn(n: number, m: number): number {
  return Math.min(Math.max(3, m), Math.max(1, n - 2));
}

/** Fits ETS (all forms), the damped subset and Theta, and (if `withRows`) their in-sample forecast rows. */
export function fitCombinationParts(y: ArrayLike<number>, m: number, H: number, withRows = true): CombinationParts {
  const n = y.length;
  const minOrigin = burnIn(n, m);
  const auto = autoEts(y, m);
  const ets = auto ? auto.best : null;
  const damped = auto ? bestWhere(auto.fits, (s) => s.trend === 'Ad') : null;
  const theta = fitTheta(y, m);
  const components: Component[] = [];
  if (ets)
    components.push({
      name: etsName(ets.spec),
      role: 'ets',
      mean: etsForecastMean(ets, H),
      rows: withRows ? etsInSample(ets, y, H, minOrigin) : [],
    });
  components.push({
    name: 'Theta',
    role: 'theta',
    mean: thetaForecastMean(theta, H),
    rows: withRows ? thetaInSample(theta, H, minOrigin) : [],
  });
  if (damped)
    components.push({
      name: etsName(damped.spec),
      role: 'damped',
      mean: etsForecastMean(damped, H),
      rows: withRows ? etsInSample(damped, y, H, minOrigin) : [],
    });
  return { ets, damped, components, minOrigin };
}

/** Equal-weight average of component forecasts (and of their in-sample rows). */
export function combine(components: Component[], H: number): Component {
  const k = components.length;
  const mean = new Float64Array(H);
  for (const c of components) for (let h = 0; h < H; h++) mean[h] = (mean[h] as number) + (c.mean[h] as number) / k;
  const nRows = Math.min(...components.map((c) => c.rows.length));
  const rows: Float64Array[] = [];
  for (let r = 0; r < nRows; r++) {
    const row = new Float64Array(H);
    for (const c of components) {
      const cr = c.rows[c.rows.length - nRows + r] as Float64Array;
      for (let h = 0; h < H; h++) row[h] = (row[h] as number) + (cr[h] as number) / k;
    }
    rows.push(row);
  }
  return { name: `Combination(${components.map((c) => c.name).join(', ')})`, role: 'comb', mean, rows };
}

/** Weight of the middle member in the trimmed combination; the outer two share the rest via the mean. */
const W_MID = 0.5;
/** (median + mean)/2 of three values = weights 1/6, 2/3, 1/6 on the sorted values. */
function trimmed3(a: number, b: number, c: number): number {
  const mid = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  return W_MID * mid + ((1 - W_MID) * (a + b + c)) / 3;
}

/**
 * Trimmed combination of three components: at each step the middle value
 * gets weight 2/3 and the outer two 1/6 each. Halfway between the median
 * (robust to one member going astray, better sMAPE) and the mean (better
 * MASE on series with large errors); on the development data it beats both.
 */
export function combineTrimmed(components: Component[], H: number): Component {
  if (components.length !== 3) return combine(components, H);
  const [a, b, c] = components as [Component, Component, Component];
  const mean = new Float64Array(H);
  for (let h = 0; h < H; h++) mean[h] = trimmed3(a.mean[h] as number, b.mean[h] as number, c.mean[h] as number);
  const nRows = Math.min(a.rows.length, b.rows.length, c.rows.length);
  const rows: Float64Array[] = [];
  for (let r = 0; r < nRows; r++) {
    const ra = a.rows[a.rows.length - nRows + r] as Float64Array;
    const rb = b.rows[b.rows.length - nRows + r] as Float64Array;
    const rc = c.rows[c.rows.length - nRows + r] as Float64Array;
    const row = new Float64Array(H);
    for (let h = 0; h < H; h++) row[h] = trimmed3(ra[h] as number, rb[h] as number, rc[h] as number);
    rows.push(row);
  }
  return { name: `Trimmed(${components.map((x) => x.name).join(', ')})`, role: 'trimmed', mean, rows };
}

/**
 * Intervals from the combination's own in-sample h-step errors (log-scale
 * for positive data, level-scaled for data with zeros), inflated by Akaike's
 * FPE factor √((n+k)/(n−k)) for k fitted parameters. The fallback when no
 * ETS model can be fitted; null when history is too short to calibrate.
 */
export function calibratedBands(
  y: ArrayLike<number>,
  m: number,
  comp: Component,
  minOrigin: number,
  levels: number[],
  inflate = DEFAULT_INFLATE,
  k = 0,
): Band[] | null {
  const H = comp.mean.length;
  const nRows = comp.rows.length;
  const origin = y.length - nRows;
  const rel = allPositive(y);
  if (k > 0) inflate *= Math.sqrt((y.length + k) / Math.max(1, y.length - k));
  const w = !rel && allNonNegative(y) ? Math.max(m, 4) : 0;
  const { sigma } = horizonErrors(y, comp.rows, Math.max(origin, minOrigin), H, rel, w);
  if (!Number.isFinite(sigma[0])) return null;
  const level = w > 0 ? localLevel(y, y.length, w) : 1;
  return intervalsFromScale(comp.mean, sigma, levels, { relative: rel, inflate, level });
}
