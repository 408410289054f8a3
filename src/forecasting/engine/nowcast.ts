/**
 * Nowcast of the current, partial month: its month-to-date actual plus an estimate of the days
 * still to come, from the same weekdays of the last four weeks of history (cost data has a strong
 * weekly cycle). Pure; the caller passes daily totals and the last day the data are complete for.
 */
import { daysInMonth, formatMonth, parseDate } from './calendar.ts';

/** A day's total cost. */
export interface DayTotal {
  date: string;
  amount: number;
}

/** The current month: what is known and what is expected. */
export interface MonthNowcast {
  month: string;
  /** Sum of the month's days up to and including `asOf`. */
  actualToDate: number;
  /** Expected cost of the days after `asOf` until the month ends. */
  remaining: number;
  /** actualToDate + remaining. */
  monthEnd: number;
  daysElapsed: number;
  daysInMonth: number;
}

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  const { year, month, day } = parseDate(date);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/**
 * Nowcasts the month containing `asOf` (YYYY-MM-DD, the last complete day). `days` are daily totals
 * in any order; days without a row count as zero once the history has started.
 */
export function nowcastMonth(days: readonly DayTotal[], asOf: string): MonthNowcast {
  const { year, month, day } = parseDate(asOf);
  const dim = daysInMonth(year, month);
  const today = dayNumber(asOf);
  const byDay = new Map<number, number>();
  let first = Infinity;
  for (const d of days) {
    const n = dayNumber(d.date);
    if (n > today) continue;
    byDay.set(n, (byDay.get(n) ?? 0) + d.amount);
    first = Math.min(first, n);
  }
  let actualToDate = 0;
  for (let n = today - day + 1; n <= today; n += 1) actualToDate += byDay.get(n) ?? 0;

  // Mean per weekday over the last 28 days of history (only days since the history began).
  const sums = new Array<number>(7).fill(0);
  const counts = new Array<number>(7).fill(0);
  for (let n = today - 27; n <= today; n += 1) {
    if (n < first) continue;
    const weekday = ((n % 7) + 7) % 7;
    sums[weekday] = (sums[weekday] as number) + (byDay.get(n) ?? 0);
    counts[weekday] = (counts[weekday] as number) + 1;
  }
  const observed = counts.reduce((a, b) => a + b, 0);
  const overallMean = observed > 0 ? sums.reduce((a, b) => a + b, 0) / observed : 0;
  let remaining = 0;
  for (let n = today + 1; n <= today + (dim - day); n += 1) {
    const weekday = ((n % 7) + 7) % 7;
    const count = counts[weekday] as number;
    remaining += count > 0 ? (sums[weekday] as number) / count : overallMean;
  }
  remaining = Math.max(0, remaining);
  return {
    month: formatMonth(year, month),
    actualToDate,
    remaining,
    monthEnd: actualToDate + remaining,
    daysElapsed: day,
    daysInMonth: dim,
  };
}
