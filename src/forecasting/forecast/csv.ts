/**
 * CSV of a forecast (RFC 4180: comma-separated, CRLF, fields quoted when they hold a comma, quote
 * or line break). Spreadsheets run a cell starting with `=`, `+`, `-`, `@`, tab or CR as a formula,
 * so such text cells get a leading apostrophe (OWASP's guard). Numbers are written as plain
 * numbers and never guarded: `-3.5` must stay a negative number, and a number cannot carry a formula.
 */
import type { ForecastReport } from './compute.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: a finite number as is, text guarded against formulas and quoted when needed. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of cells as CSV text. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return rows.map((row) => row.map(csvCell).join(',') + '\r\n').join('');
}

/** The seed's columns: Month, Forecast, Lower Bound, Upper Bound, MoM Change (percent). */
export function forecastCsv(report: Pick<ForecastReport, 'forecast'>): string {
  return toCsv([
    ['Month', 'Forecast', 'Lower Bound', 'Upper Bound', 'MoM Change'],
    ...report.forecast.map((p) => [p.month, p.forecast_value, p.lower_bound, p.upper_bound, p.month_over_month_change]),
  ]);
}
