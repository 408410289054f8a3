/**
 * Daily cost anomalies, pure (no I/O): every service's series and the tenant's total ('*') are
 * checked day by day with two rules, each against history before the day only.
 *
 * - `residual_mad`: the expected level is the median of the same weekday over the previous six
 *   weeks (cost has a strong weekly cycle) plus the median of the recent residuals (which absorbs a
 *   trend the weekday median lags behind). Residuals are relative to that baseline (cost noise is
 *   multiplicative) and the day's is scored in robust standard deviations: 1.4826 × the median
 *   absolute deviation of the residuals of the previous eight weeks, at least 2 % of the level.
 *   |score| > 4 flags a spike or a drop.
 * - `prior_week_150`: the platform's old rule, a day above 150 % of the average of the seven days
 *   before it. Spikes only.
 *
 * Either rule flags a day only when its impact (actual − expected) is at least
 * max(1 currency unit, 2 % of the tenant's typical day: the median daily total of the previous four
 * weeks), so a tiny service doubling from 0.02 to 0.04 is not news. A series flags nothing before
 * it has 21 days of history (two same-weekday values for the baseline and a week of residuals to
 * scale them by).
 */
import { quantileSelect } from '../engine/stats.ts';

/** One day's cost of one service, in currency units. */
export interface CostDay {
  date: string;
  service: string;
  amount: number;
}

/** The service of the tenant's total series. */
export const TOTAL_SERVICE = '*';

export type AnomalyRule = 'residual_mad' | 'prior_week_150' | 'both';

/** A flagged day. Amounts in currency units. */
export interface DetectedAnomaly {
  date: string;
  /** The service, or '*' for the total. */
  service: string;
  actual: number;
  expected: number;
  /** actual − expected (negative for drops). */
  impact: number;
  /** Robust deviations from the expected level (signed). */
  score: number;
  direction: 'spike' | 'drop';
  rule: AnomalyRule;
  reason: string;
}

/** The tunables; the defaults are those documented above (and in the README). */
export interface DetectOptions {
  /** First day that may be flagged (YYYY-MM-DD); earlier days are history only. */
  from: string;
  /** Last complete day (YYYY-MM-DD): later days (today's partial one) are ignored. */
  to: string;
  currency: string;
  /** |score| above which the residual rule flags (default 4). */
  threshold?: number;
  /** Smallest |impact| in currency units (default 1). */
  minImpact?: number;
  /** Smallest |impact| as a share of the tenant's typical daily total (default 0.02). */
  minImpactShare?: number;
}

const DEFAULT_THRESHOLD = 4;
const DEFAULT_MIN_IMPACT = 1;
const DEFAULT_MIN_IMPACT_SHARE = 0.02;
/** Days of history a series needs before any of its days can be flagged. */
export const MIN_HISTORY_DAYS = 28;
/** The old rule's ratio to the prior 7-day average. */
const PRIOR_WEEK_RATIO = 1.5;

/** Same-weekday values the seasonal baseline takes the median of. */
const BASELINE_WEEKS = 6;
/** Past residuals that scale the score (eight weeks). */
const RESIDUAL_WINDOW = 56;
/** Residuals needed before a score means anything. */
const MIN_RESIDUALS = 14;
/** Days of the total whose median is the tenant's typical day (and of a series' recent mean). */
const TYPICAL_WINDOW = 28;
/** Consistency constant: 1.4826 × MAD estimates σ for normal noise. */
const MAD_TO_SIGMA = 1.4826;
/**
 * Floor of the robust scale as a share of the expected level: a flat series (MAD 0) would
 * otherwise score any change as infinitely unusual.
 */
const MIN_RELATIVE_SCALE = 0.02;
/**
 * A weekday that usually costs nothing still gets a unit for its relative residual: a tenth of the
 * series' mean day over the previous four weeks, so a first charge on a quiet Sunday scores large
 * but finite.
 */
const ZERO_BASELINE_SHARE = 0.1;

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Per-day figures of one series; NaN where history is too short. */
interface Scored {
  expected: number;
  score: number;
  priorWeekMean: number;
}

/**
 * Scores every day of a dense series (index 0 = its first day) against its own history. Exported
 * for the bench and tests; `detectAnomalies` is the entry point.
 */
export function scoreSeries(values: readonly number[]): Scored[] {
  const n = values.length;
  // Residuals are relative to the baseline: cost noise is multiplicative, so a weekday and a
  // weekend day (or a busy and a quiet month) share one scale.
  const baseline = new Float64Array(n).fill(Number.NaN);
  const unit = new Float64Array(n).fill(Number.NaN);
  const residual = new Float64Array(n).fill(Number.NaN);
  const same = new Float64Array(BASELINE_WEEKS);
  let recentSum = 0;
  for (let t = 0; t < n; t += 1) {
    if (t >= 14) {
      let count = 0;
      for (let w = 1; w <= BASELINE_WEEKS && t - 7 * w >= 0; w += 1) same[count++] = values[t - 7 * w] as number;
      const b = quantileSelect(same.subarray(0, count), 0.5);
      const recentMean = recentSum / Math.min(t, TYPICAL_WINDOW);
      baseline[t] = b;
      unit[t] = Math.max(b, ZERO_BASELINE_SHARE * recentMean, 1e-6);
      residual[t] = ((values[t] as number) - b) / (unit[t] as number);
    }
    recentSum += values[t] as number;
    if (t >= TYPICAL_WINDOW) recentSum -= values[t - TYPICAL_WINDOW] as number;
  }
  const out: Scored[] = [];
  const past = new Float64Array(RESIDUAL_WINDOW);
  let weekSum = 0;
  for (let t = 0; t < n; t += 1) {
    const priorWeekMean = t >= 7 ? weekSum / 7 : Number.NaN;
    weekSum += values[t] as number;
    if (t >= 7) weekSum -= values[t - 7] as number;
    let count = 0;
    for (let s = Math.max(0, t - RESIDUAL_WINDOW); s < t; s += 1) {
      const r = residual[s] as number;
      if (!Number.isNaN(r)) past[count++] = r;
    }
    if (t < MIN_HISTORY_DAYS || count < MIN_RESIDUALS) {
      out.push({ expected: Number.NaN, score: Number.NaN, priorWeekMean });
      continue;
    }
    const window = past.subarray(0, count);
    const center = quantileSelect(window, 0.5);
    for (let i = 0; i < count; i += 1) window[i] = Math.abs((window[i] as number) - center);
    const mad = quantileSelect(window, 0.5);
    const u = unit[t] as number;
    const expected = Math.max(0, (baseline[t] as number) + center * u);
    const scale = Math.max(MAD_TO_SIGMA * mad, MIN_RELATIVE_SCALE) * u;
    out.push({ expected, score: ((values[t] as number) - expected) / scale, priorWeekMean });
  }
  return out;
}

const money = (amount: number) => amount.toFixed(2);

function reasonOf(a: Omit<DetectedAnomaly, 'reason'>, currency: string, priorWeekMean: number): string {
  const label = a.service === TOTAL_SERVICE ? 'Total' : a.service;
  const change =
    a.expected > 0 ? ` (${a.impact >= 0 ? '+' : '−'}${Math.round((Math.abs(a.impact) / a.expected) * 100)} %)` : '';
  const base = `${label} cost ${money(a.actual)} ${currency} vs expected ${money(a.expected)}${change}`;
  const deviations = `${Math.abs(a.score).toFixed(1)} robust deviations ${a.direction === 'spike' ? 'above' : 'below'}`;
  const oldRule = `above 150 % of the prior 7-day average (${money(priorWeekMean)})`;
  if (a.rule === 'residual_mad') return `${base}, ${deviations}`;
  if (a.rule === 'prior_week_150') return `${base}, ${oldRule}`;
  return `${base}, ${deviations}, ${oldRule}`;
}

/** Dense daily series per service plus the total, from each series' first day to `to`. */
function denseSeries(days: readonly CostDay[], to: number): Map<string, { start: number; values: number[] }> {
  const byService = new Map<string, Map<number, number>>();
  const add = (service: string, day: number, amount: number) => {
    let m = byService.get(service);
    if (!m) byService.set(service, (m = new Map()));
    m.set(day, (m.get(day) ?? 0) + amount);
  };
  for (const d of days) {
    const day = dayNumber(d.date);
    if (day > to) continue;
    add(d.service, day, d.amount);
    add(TOTAL_SERVICE, day, d.amount);
  }
  const series = new Map<string, { start: number; values: number[] }>();
  for (const [service, m] of byService) {
    const start = Math.min(...m.keys());
    const values = Array.from({ length: to - start + 1 }, (_, i) => m.get(start + i) ?? 0);
    series.set(service, { start, values });
  }
  return series;
}

/**
 * The anomalies of days in [from, to] of every service and of the total, ordered by date then
 * service. Days a series has no record for count as zero once it has started.
 */
export function detectAnomalies(days: readonly CostDay[], options: DetectOptions): DetectedAnomaly[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const minImpact = options.minImpact ?? DEFAULT_MIN_IMPACT;
  const share = options.minImpactShare ?? DEFAULT_MIN_IMPACT_SHARE;
  const from = dayNumber(options.from);
  const to = dayNumber(options.to);
  const series = denseSeries(days, to);
  const total = series.get(TOTAL_SERVICE);
  if (!total) return [];
  const floorAt = (day: number): number => {
    const i = day - total.start;
    const window = Float64Array.from(total.values.slice(Math.max(0, i - TYPICAL_WINDOW), Math.max(0, i)));
    return Math.max(minImpact, window.length > 0 ? share * quantileSelect(window, 0.5) : 0);
  };

  const found: DetectedAnomaly[] = [];
  for (const [service, { start, values }] of series) {
    const scored = scoreSeries(values);
    for (let i = Math.max(0, from - start); i < values.length; i += 1) {
      const s = scored[i] as Scored;
      if (Number.isNaN(s.score)) continue;
      const actual = values[i] as number;
      const madCandidate = Math.abs(s.score) > threshold;
      const oldCandidate = actual > PRIOR_WEEK_RATIO * s.priorWeekMean;
      if (!madCandidate && !oldCandidate) continue;
      const floor = floorAt(start + i);
      const mad = madCandidate && Math.abs(actual - s.expected) >= floor;
      const old = oldCandidate && actual - s.priorWeekMean >= floor;
      if (!mad && !old) continue;
      const expected = mad ? s.expected : s.priorWeekMean;
      const impact = actual - expected;
      const partial = {
        date: dateOf(start + i),
        service,
        actual,
        expected,
        impact,
        score: s.score,
        direction: impact >= 0 ? ('spike' as const) : ('drop' as const),
        rule: mad && old ? ('both' as const) : mad ? ('residual_mad' as const) : ('prior_week_150' as const),
      };
      found.push({ ...partial, reason: reasonOf(partial, options.currency, s.priorWeekMean) });
    }
  }
  return found.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.service < b.service ? -1 : 1));
}
