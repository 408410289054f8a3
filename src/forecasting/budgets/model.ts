/**
 * Budgets, pure: validating a budget's thresholds, the period a budget is judged on (the calendar
 * month of the clock, UTC), its month-to-date spend and month-end estimate from daily costs, and
 * which alerts are due. An alert is due once per threshold per month; whether it was already
 * raised is the database's business (the alert row's primary key), not this module's.
 */
import Big from 'big.js';
import { nowcastMonth } from '../engine/nowcast.ts';
import { invalidField } from '../../errors/app-error.ts';
import type { BudgetBasis } from '../tables.ts';

export const DEFAULT_THRESHOLDS: readonly number[] = [0.5, 0.8, 1];
export const MAX_THRESHOLDS = 10;
/** A threshold above 10 (1,000 % of the limit) is a typo, not a budget. */
const MAX_THRESHOLD = 10;

/** Throws 400 naming `field` unless the thresholds are numbers in (0, 10], strictly ascending, at most 10. */
export function validateThresholds(thresholds: readonly unknown[], field = 'thresholds'): number[] {
  if (thresholds.length === 0) throw invalidField(field, 'must list at least one threshold');
  if (thresholds.length > MAX_THRESHOLDS) throw invalidField(field, `must list at most ${MAX_THRESHOLDS} thresholds`);
  thresholds.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t)) throw invalidField(`${field}.${i}`, 'must be a number');
    if (t <= 0 || t > MAX_THRESHOLD) throw invalidField(`${field}.${i}`, `must be in (0, ${MAX_THRESHOLD}]`);
    if (i > 0 && t <= (thresholds[i - 1] as number))
      throw invalidField(`${field}.${i}`, 'must be greater than the threshold before it (ascending, no repeats)');
  });
  return thresholds as number[];
}

/** What a budget is judged on: the month of `now` (UTC) and the day its nowcast is as of. */
export interface BudgetPeriod {
  /** YYYY-MM. */
  month: string;
  /** First day of the month, YYYY-MM-DD. */
  monthStart: string;
  /** The clock's day, YYYY-MM-DD: data dated later is ignored. */
  today: string;
}

export function periodOf(now: Date): BudgetPeriod {
  const today = now.toISOString().slice(0, 10);
  return { month: today.slice(0, 7), monthStart: `${today.slice(0, 8)}01`, today };
}

/** First day of the daily history a period's evaluation needs (the nowcast looks 28 days back). */
export function historyStart(period: BudgetPeriod): string {
  return new Date(Date.parse(`${period.monthStart}T00:00:00Z`) - 28 * 86_400_000).toISOString().slice(0, 10);
}

/** A day's cost of one service, in micro-units. */
export interface SpendDay {
  date: string;
  service: string;
  amountMicros: number;
}

/** A budget's spend in a period, in micro-units. */
export interface BudgetSpend {
  /** Exact sum of the month's days up to today. */
  spentMicros: number;
  /** Month-to-date actual plus the nowcast of the days after the last day with data. */
  forecastMicros: number;
  /** The day the nowcast is as of. */
  asOf: string;
}

/**
 * Spend of the services a budget covers (null: all). The nowcast is as of the tenant's last day
 * with data in the month (so a day not loaded yet is estimated, not counted as zero), at least the
 * month's first day and at most today; it is `nowcastMonth`, the same estimate the forecast API
 * uses for the current month.
 */
export function budgetSpend(
  days: readonly SpendDay[],
  services: readonly string[] | null,
  period: BudgetPeriod,
): BudgetSpend {
  let lastDay = period.monthStart;
  for (const d of days) if (d.date > lastDay && d.date <= period.today) lastDay = d.date;
  const covered = services ? new Set(services) : null;
  const totals = new Map<string, number>();
  let spentMicros = 0;
  for (const d of days) {
    if (covered && !covered.has(d.service)) continue;
    totals.set(d.date, (totals.get(d.date) ?? 0) + d.amountMicros);
    if (d.date >= period.monthStart && d.date <= period.today) spentMicros += d.amountMicros;
  }
  const nowcast = nowcastMonth(
    [...totals].map(([date, amount]) => ({ date, amount })),
    lastDay,
  );
  // asOf is the last day with data, so the nowcast's actual is the exact spend; only its estimate is rounded.
  return { spentMicros, forecastMicros: spentMicros + Math.round(nowcast.remaining), asOf: lastDay };
}

/** An alert a budget is due in its period. */
export interface DueAlert {
  kind: 'actual' | 'forecast';
  /** The fraction of the limit (forecast alerts use 1). */
  threshold: number;
}

/**
 * The alerts due: every threshold the month-to-date spend has reached (basis actual or both), and
 * the forecast alert when the month-end estimate is above the limit (basis forecast or both).
 * Compared exactly: spent ≥ limit × threshold in decimals.
 */
export function dueAlerts(
  budget: { limitMicros: number; thresholds: readonly number[]; basis: BudgetBasis },
  spend: Pick<BudgetSpend, 'spentMicros' | 'forecastMicros'>,
): DueAlert[] {
  const due: DueAlert[] = [];
  const limit = new Big(budget.limitMicros);
  if (budget.basis !== 'forecast') {
    for (const threshold of budget.thresholds) {
      if (new Big(spend.spentMicros).gte(limit.times(String(threshold)))) due.push({ kind: 'actual', threshold });
    }
  }
  if (budget.basis !== 'actual' && spend.forecastMicros > budget.limitMicros)
    due.push({ kind: 'forecast', threshold: 1 });
  return due;
}

/** spent / limit in percent, two decimals. */
export function percentOf(spentMicros: number, limitMicros: number): number {
  return limitMicros > 0 ? Math.round((spentMicros / limitMicros) * 10_000) / 100 : 0;
}
