/**
 * Calendar arithmetic for cost series: month labels, month lengths, leap
 * years and aggregation of daily records into calendar months. Dates are
 * plain 'YYYY-MM-DD' calendar days (already in the tenant's time zone), so
 * everything is integer arithmetic — no Date objects, no UTC shifts (the
 * seed's "30 days per month" labels drifted by a month within two years).
 */

/** Seasonal periods by data kind: daily cost data has weekly and yearly cycles. */
export const SEASONAL_PERIODS = {
  yearly: [1],
  quarterly: [4],
  monthly: [12],
  weekly: [52],
  daily: [7, 365.25],
} as const;

/** Gregorian leap-year rule. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses 'YYYY-MM' into year and month; throws RangeError on anything else. */
export function parseMonth(label: string): { year: number; month: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  const year = m ? Number(m[1]) : NaN;
  const month = m ? Number(m[2]) : NaN;
  if (!m || month < 1 || month > 12) throw new RangeError(`not a month label (YYYY-MM): ${label}`);
  return { year, month };
}

/** Parses and validates 'YYYY-MM-DD' (real calendar day, leap years included). */
export function parseDate(date: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    throw new RangeError(`no such day: ${date}`);
  return { year, month, day };
}

/** Formats a year and month (month may be out of 1–12; it is normalised) as 'YYYY-MM'. */
export function formatMonth(year: number, month: number): string {
  const idx = year * 12 + (month - 1);
  const y = Math.floor(idx / 12);
  const mo = idx - y * 12 + 1;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}`;
}

/** The month `k` months after `label` (k may be negative). */
export function addMonths(label: string, k: number): string {
  const { year, month } = parseMonth(label);
  return formatMonth(year, month + k);
}

/**
 * Labels of the `count` months following `last` (exclusive): the x-axis of
 * a forecast whose history ends in `last`. Pass `inclusive` to start at it.
 */
export function monthLabels(last: string, count: number, inclusive = false): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(addMonths(last, inclusive ? i : i + 1));
  return out;
}

/** A daily cost record. */
export interface DailyRecord {
  date: string;
  amount: number;
}

/** One calendar month of aggregated costs. */
export interface MonthTotal {
  month: string;
  total: number;
  /** Distinct days with at least one record. */
  daysWithData: number;
  daysInMonth: number;
  /** True when the data cover only part of the month (the current month, or a first month starting mid-way). */
  partial: boolean;
}

/**
 * Sums daily records into calendar months, filling gaps between the first
 * and last month with zero totals. The last month is partial when the data
 * (or `asOf`, the last day the data are complete for) end before its last
 * day; the first when it starts after day 1. Partial months must not be fed
 * to a monthly model as if they were full.
 */
export function aggregateDailyToMonthly(records: DailyRecord[], opts: { asOf?: string } = {}): MonthTotal[] {
  if (records.length === 0) return [];
  const totals = new Map<number, { total: number; days: Set<number> }>();
  let firstDay = Infinity;
  let lastDay = -Infinity;
  let minIdx = Infinity;
  let maxIdx = -Infinity;
  records.forEach((r, i) => {
    const d = parseDate(r.date);
    if (!Number.isFinite(r.amount)) throw new RangeError(`record ${i}: amount must be a finite number`);
    const idx = d.year * 12 + d.month - 1;
    const key = idx * 32 + d.day;
    firstDay = Math.min(firstDay, key);
    lastDay = Math.max(lastDay, key);
    minIdx = Math.min(minIdx, idx);
    maxIdx = Math.max(maxIdx, idx);
    const t = totals.get(idx) ?? { total: 0, days: new Set<number>() };
    t.total += r.amount;
    t.days.add(d.day);
    totals.set(idx, t);
  });
  let endKey = lastDay;
  if (opts.asOf) {
    const a = parseDate(opts.asOf);
    endKey = Math.max(lastDay, (a.year * 12 + a.month - 1) * 32 + a.day);
    maxIdx = Math.max(maxIdx, a.year * 12 + a.month - 1);
  }
  const out: MonthTotal[] = [];
  for (let idx = minIdx; idx <= maxIdx; idx++) {
    const year = Math.floor(idx / 12);
    const month = idx - year * 12 + 1;
    const dim = daysInMonth(year, month);
    const t = totals.get(idx);
    const startsLate = idx === minIdx && firstDay % 32 > 1;
    const endsEarly = idx === maxIdx && endKey % 32 < dim;
    out.push({
      month: formatMonth(year, month),
      total: t ? t.total : 0,
      daysWithData: t ? t.days.size : 0,
      daysInMonth: dim,
      partial: startsLate || endsEarly,
    });
  }
  return out;
}
