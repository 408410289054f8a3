/**
 * The cost forecast of one tenant, from its daily costs per service — pure; `today` comes from
 * the caller's clock. The monthly model sees full calendar months only: the months before the
 * current one, from the first month whose first day has data. The last complete day (`as_of`) is
 * the last day with data up to yesterday (UTC); days without records count as zero. The current
 * month is the first forecast month: when it has data, its value is the nowcast (month-to-date
 * actual + the remaining days from the weekday means of the last four weeks) and its interval is
 * the model's one-step interval scaled by the share of the month still to come (never below the
 * actual to date); before its first data it is the model's one-step forecast.
 *
 * Services: each is forecast on its own (Theta from 6 months of history, naive below — cheap and
 * robust for short or sparse series; the accuracy-tuned model with its backtest runs on the total
 * only), then scaled proportionally so the services add up to the total at every horizon (the
 * total's model sees the smoothest series; the services give the split).
 */
import { AppError } from '../../errors/app-error.ts';
import { addMonths } from '../engine/calendar.ts';
import { forecast, type ForecastResult } from '../engine/index.ts';
import { nowcastMonth, type DayTotal } from '../engine/nowcast.ts';
import { microsToNumber } from '../money.ts';
import type { ServiceDay } from '../records/store.ts';
import { addDays } from '../days.ts';

/** Full months of history the monthly model needs. */
export const MIN_FULL_MONTHS = 3;
/** Service history (months since its first cost) from which Theta is used instead of naive. */
const THETA_MIN_MONTHS = 6;
/** Smallest relative change over the horizon that counts as a trend, whatever the model's error. */
const MIN_TREND_CHANGE = 0.02;
/** Days of history the nowcast reads: the current month so far plus its four-week weekday means. */
const NOWCAST_WINDOW_DAYS = 62;

/** The parameters a forecast depends on (and is cached by). */
export interface ForecastParams {
  months: number;
  /** Prediction-interval level in percent, 50–99. */
  level: number;
  byService: boolean;
}

/** One forecast month. */
export interface ForecastPoint {
  month: string;
  forecast_value: number;
  lower_bound: number;
  upper_bound: number;
}

/** The computed forecast: the API response without the live parts (anomalies). */
export interface ForecastReport {
  forecast: Array<ForecastPoint & { month_over_month_change: number | null }>;
  accuracy_score: number | null;
  service_breakdown: Array<{ service: string; projected_cost: number; percentage: number }>;
  trend: 'increasing' | 'decreasing' | 'stable';
  historical_months: number;
  generated_at: string;
  as_of: string;
  model: string;
  interval_level: number;
  backtest: {
    mape: number;
    smape: number;
    mase: number;
    msis: number;
    coverage: number;
    origins: number;
    horizon: number;
  } | null;
  currency: string;
  history: Array<{ month: string; actual: number; partial: boolean }>;
  nowcast: {
    month: string;
    actual_to_date: number;
    remaining: number;
    forecast_value: number;
    days_elapsed: number;
    days_in_month: number;
  } | null;
  services?: Array<{ service: string; model: string; forecast: ForecastPoint[] }>;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let month = first; month <= last; month = addMonths(month, 1)) out.push(month);
  return out;
}

/** Means and bounds of one series over the horizon. */
interface Band {
  mean: number[];
  lower: number[];
  upper: number[];
}

function bandOf(result: ForecastResult): Band {
  const interval = result.intervals[0];
  return { mean: result.mean, lower: interval?.lower ?? result.mean, upper: interval?.upper ?? result.mean };
}

/**
 * Replaces the first step by the nowcast: the model's one-step half-widths shrink with the share of
 * the month still to come; the lower bound never drops below what has already been spent.
 */
function withNowcast(band: Band, nowcast: { actualToDate: number; monthEnd: number }, remainingShare: number): Band {
  const mean0 = band.mean[0] ?? 0;
  const below = Math.max(0, mean0 - (band.lower[0] ?? mean0)) * remainingShare;
  const above = Math.max(0, (band.upper[0] ?? mean0) - mean0) * remainingShare;
  return {
    mean: [nowcast.monthEnd, ...band.mean.slice(1)],
    lower: [Math.max(nowcast.actualToDate, nowcast.monthEnd - below), ...band.lower.slice(1)],
    upper: [nowcast.monthEnd + above, ...band.upper.slice(1)],
  };
}

/** Clamps a band to non-negative costs with lower ≤ mean ≤ upper. */
function tidy(band: Band): Band {
  const mean = band.mean.map((m) => Math.max(0, m));
  return {
    mean,
    lower: band.lower.map((l, h) => Math.min(Math.max(0, l), mean[h] as number)),
    upper: band.upper.map((u, h) => Math.max(u, mean[h] as number)),
  };
}

/**
 * Increasing or decreasing when the least-squares line through the last full month and the
 * forecast months moves, over the horizon, by more than the model's typical error (the backtest's
 * MAPE, at least 2 %) relative to its mean; otherwise stable.
 */
export function trendOf(lastFull: number, forecastValues: readonly number[], mape: number | null) {
  const ys = [lastFull, ...forecastValues];
  const n = ys.length;
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  const change = meanY > 0 ? ((sxy / sxx) * (n - 1)) / meanY : 0;
  const threshold = Math.max(MIN_TREND_CHANGE, (mape ?? 0) / 100);
  if (change > threshold) return 'increasing' as const;
  if (change < -threshold) return 'decreasing' as const;
  return 'stable' as const;
}

function serviceBand(values: number[], horizon: number, level: number): { model: string; band: Band } | null {
  const start = values.findIndex((v) => v !== 0);
  if (start < 0) return null;
  const history = values.slice(start);
  const method = history.length >= THETA_MIN_MONTHS ? 'theta' : 'naive';
  const result = forecast({ values: history, frequency: 12 }, { horizon, levels: [level], method });
  if (result.mean.every(Number.isFinite)) return { model: result.model, band: bandOf(result) };
  const naive = forecast({ values: history, frequency: 12 }, { horizon, levels: [level], method: 'naive' });
  return { model: naive.model, band: bandOf(naive) };
}

/** A month's cost of one service (`month` YYYY-MM), in integer micro-units. */
export interface ServiceMonth {
  month: string;
  service: string;
  amountMicros: number;
}

/**
 * What the forecast reads: the tenant's first and last day with data up to yesterday (null
 * without any), its monthly costs per service through that last day, and the daily costs per
 * service of the last {@link NOWCAST_WINDOW_DAYS} days through it (the nowcast's input).
 */
export interface CostHistory {
  firstDate: string | null;
  lastDate: string | null;
  monthly: readonly ServiceMonth[];
  recentDays: readonly ServiceDay[];
}

/** The first day of the daily window the nowcast reads, for a last complete day `asOf`. */
export function nowcastWindowStart(asOf: string): string {
  return addDays(asOf, -NOWCAST_WINDOW_DAYS);
}

/** Yesterday of a calendar day: the latest day that can be complete. */
export function lastCompleteDay(today: string): string {
  return addDays(today, -1);
}

/** Computes the forecast; throws a 422 when the history is too short for a monthly model. */
export function computeForecast(input: {
  history: CostHistory;
  today: string;
  params: ForecastParams;
  currency: string;
  generatedAt: string;
}): ForecastReport {
  const { params, today } = input;
  const H = params.months;
  const currentMonth = today.slice(0, 7);
  const { firstDate, lastDate: asOf } = input.history;
  if (firstDate === null || asOf === null)
    throw new AppError(
      'unprocessable',
      `No cost data before ${today}: a forecast needs ${MIN_FULL_MONTHS} full months`,
      {
        extra: { required_full_months: MIN_FULL_MONTHS, full_months: [] },
      },
    );

  // Sums in integer micro-units (exact), per month and per service × month.
  const totalByMonth = new Map<string, number>();
  const byService = new Map<string, Map<string, number>>();
  for (const row of input.history.monthly) {
    totalByMonth.set(row.month, (totalByMonth.get(row.month) ?? 0) + row.amountMicros);
    let months = byService.get(row.service);
    if (!months) byService.set(row.service, (months = new Map()));
    months.set(row.month, (months.get(row.month) ?? 0) + row.amountMicros);
  }

  const firstMonth = firstDate.slice(0, 7);
  const firstFull = firstDate.endsWith('-01') ? firstMonth : addMonths(firstMonth, 1);
  const fullMonths = monthsBetween(firstFull, addMonths(currentMonth, -1));
  if (fullMonths.length < MIN_FULL_MONTHS) {
    const listed = fullMonths.length > 0 ? ` (${fullMonths.join(', ')})` : '';
    throw new AppError(
      'unprocessable',
      `A forecast needs ${MIN_FULL_MONTHS} full months of cost history; has ${fullMonths.length}${listed}`,
      { extra: { required_full_months: MIN_FULL_MONTHS, full_months: fullMonths } },
    );
  }

  const units = (micros: number | undefined) => microsToNumber(micros ?? 0);
  const totalValues = fullMonths.map((m) => units(totalByMonth.get(m)));
  const totalResult = forecast(
    { values: totalValues, frequency: 12 },
    { horizon: H, levels: [params.level], method: 'auto', backtest: true },
  );

  // The nowcast, when the current month has data.
  const nowcasting = asOf.slice(0, 7) === currentMonth;
  const windowStart = nowcastWindowStart(asOf);
  const recentTotal: DayTotal[] = [];
  const recentByService = new Map<string, DayTotal[]>();
  if (nowcasting)
    for (const day of input.history.recentDays) {
      if (day.date < windowStart || day.date > asOf) continue;
      const entry = { date: day.date, amount: units(day.amountMicros) };
      recentTotal.push(entry);
      let list = recentByService.get(day.service);
      if (!list) recentByService.set(day.service, (list = []));
      list.push(entry);
    }
  const totalNowcast = nowcasting ? nowcastMonth(recentTotal, asOf) : null;
  const remainingShare = totalNowcast
    ? (totalNowcast.daysInMonth - totalNowcast.daysElapsed) / totalNowcast.daysInMonth
    : 1;

  let total = bandOf(totalResult);
  if (totalNowcast) total = withNowcast(total, totalNowcast, remainingShare);
  total = tidy(total);

  // Services, reconciled proportionally to the total at each horizon.
  const services = [...byService.keys()].sort();
  const serviceBands = services.map((service) => {
    const months = byService.get(service) as Map<string, number>;
    const fitted = serviceBand(
      fullMonths.map((m) => units(months.get(m))),
      H,
      params.level,
    );
    const nowcast = totalNowcast ? nowcastMonth(recentByService.get(service) ?? [], asOf) : null;
    const flat = (value: number) => new Array<number>(H).fill(value);
    let band: Band = fitted?.band ?? {
      mean: flat(nowcast?.monthEnd ?? 0),
      lower: flat(nowcast?.monthEnd ?? 0),
      upper: flat(nowcast?.monthEnd ?? 0),
    };
    if (nowcast) band = withNowcast(band, nowcast, remainingShare);
    return { service, model: fitted?.model ?? 'Naive', band: tidy(band) };
  });
  const lastShares = services.map((service) => units(byService.get(service)?.get(fullMonths.at(-1) as string)));
  for (let h = 0; h < H; h += 1) {
    const sum = serviceBands.reduce((acc, s) => acc + (s.band.mean[h] as number), 0);
    const target = total.mean[h] as number;
    const shareSum = lastShares.reduce((a, b) => a + Math.max(0, b), 0);
    serviceBands.forEach((s, i) => {
      const mean = s.band.mean[h] as number;
      // With no service signal left, the last full month's split (or an even one) divides the total.
      const fallback = shareSum > 0 ? Math.max(0, lastShares[i] as number) / shareSum : 1 / services.length;
      const factor = sum > 0 ? target / sum : 0;
      const value = sum > 0 ? mean * factor : target * fallback;
      const scale = mean > 0 ? value / mean : 1;
      s.band.mean[h] = value;
      s.band.lower[h] = Math.min(value, (s.band.lower[h] as number) * scale);
      s.band.upper[h] = Math.max(value, (s.band.upper[h] as number) * scale);
    });
  }

  const labels = Array.from({ length: H }, (_, h) => addMonths(currentMonth, h));
  const points = (band: Band): ForecastPoint[] =>
    labels.map((month, h) => ({
      month,
      forecast_value: round2(band.mean[h] as number),
      lower_bound: round2(band.lower[h] as number),
      upper_bound: round2(band.upper[h] as number),
    }));
  const totalPoints = points(total);
  const lastFull = round2(totalValues.at(-1) as number);
  const forecastRows = totalPoints.map((point, h) => {
    const previous = h === 0 ? lastFull : (totalPoints[h - 1] as ForecastPoint).forecast_value;
    return {
      ...point,
      month_over_month_change: previous > 0 ? round2(((point.forecast_value - previous) / previous) * 100) : null,
    };
  });

  const projected = serviceBands.map((s) => ({
    service: s.service,
    projected_cost: round2(s.band.mean.reduce((a, b) => a + round2(b), 0)),
  }));
  const projectedSum = projected.reduce((a, s) => a + s.projected_cost, 0);
  const bt = totalResult.backtest;
  const coverage = bt?.coverage.find((c) => c.level === params.level)?.coverage ?? null;

  const historyEnd = nowcasting ? currentMonth : addMonths(currentMonth, -1);
  return {
    forecast: forecastRows,
    accuracy_score: bt ? round4(bt.accuracyScore) : null,
    service_breakdown: projected
      .map((s) => ({ ...s, percentage: projectedSum > 0 ? round2((s.projected_cost / projectedSum) * 100) : 0 }))
      .sort((a, b) => b.projected_cost - a.projected_cost || a.service.localeCompare(b.service)),
    trend: trendOf(
      lastFull,
      forecastRows.map((p) => p.forecast_value),
      bt ? bt.mape : null,
    ),
    historical_months: fullMonths.length,
    generated_at: input.generatedAt,
    as_of: asOf,
    model: totalResult.model,
    interval_level: params.level,
    backtest:
      bt && coverage !== null
        ? {
            mape: round4(bt.mape),
            smape: round4(bt.smape),
            mase: round4(bt.mase),
            msis: round4(bt.msis),
            coverage: round4(coverage),
            origins: bt.origins,
            horizon: bt.horizon,
          }
        : null,
    currency: input.currency,
    history: monthsBetween(firstMonth, historyEnd).map((month) => ({
      month,
      actual: units(totalByMonth.get(month)),
      partial: month === currentMonth || month < firstFull,
    })),
    nowcast: totalNowcast
      ? {
          month: totalNowcast.month,
          actual_to_date: round2(totalNowcast.actualToDate),
          remaining: round2(totalNowcast.remaining),
          forecast_value: round2(totalNowcast.monthEnd),
          days_elapsed: totalNowcast.daysElapsed,
          days_in_month: totalNowcast.daysInMonth,
        }
      : null,
    ...(params.byService
      ? { services: serviceBands.map((s) => ({ service: s.service, model: s.model, forecast: points(s.band) })) }
      : {}),
  };
}
