// The page's tables and cards computed from the forecast: pure, so they are tested without a DOM.
import type { Anomaly, ForecastReport, ServiceShare } from './types.ts';

/** Percent change from one month to the next; null without a previous month or after a zero one. */
export function monthOverMonth(previous: number | undefined, current: number): number | null {
  if (previous === undefined || previous === 0) return null;
  return ((current - previous) / Math.abs(previous)) * 100;
}

export interface MonthRow {
  month: string;
  /** actual: a full month of history; forecast: a month ahead (the current one is its nowcast). */
  kind: 'actual' | 'forecast';
  amount: number;
  lower: number | null;
  upper: number | null;
  /** Percent change from the row before; null for the first row or after a zero month. */
  change: number | null;
}

/**
 * The monthly table: the last `historyMonths` full months of actual cost, then the forecast months,
 * each with its change from the month before (the first forecast month from the last full one).
 */
export function monthlyRows(report: ForecastReport, historyMonths = 12): MonthRow[] {
  const full = report.history.filter((month) => !month.partial);
  const forecastMonths = report.forecast.filter((point) => !full.some((month) => month.month === point.month));
  // One month more than shown, so the first row shown has its change too.
  const history = full.slice(-(historyMonths + 1));
  const rows: MonthRow[] = [];
  let previous: number | undefined;
  for (const month of history) {
    rows.push({
      month: month.month,
      kind: 'actual',
      amount: month.actual,
      lower: null,
      upper: null,
      change: monthOverMonth(previous, month.actual),
    });
    previous = month.actual;
  }
  for (const point of forecastMonths) {
    rows.push({
      month: point.month,
      kind: 'forecast',
      amount: point.forecast_value,
      lower: point.lower_bound,
      upper: point.upper_bound,
      change: monthOverMonth(previous, point.forecast_value),
    });
    previous = point.forecast_value;
  }
  return history.length > historyMonths ? rows.slice(1) : rows;
}

/** "+4.2 %", "−3.0 %", "—" for none. */
export function formatChange(change: number | null): string {
  if (change === null || !Number.isFinite(change)) return '—';
  const rounded = Math.round(change * 10) / 10;
  if (rounded === 0) return '0.0 %';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(1)} %`;
}

export type ServiceSortKey = 'service' | 'projected_cost' | 'percentage';
export interface ServiceSort {
  key: ServiceSortKey;
  direction: 'ascending' | 'descending';
}

/** The services in the order asked; ties keep the name order so the table never jumps. */
export function sortServices(services: readonly ServiceShare[], sort: ServiceSort): ServiceShare[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...services].sort((a, b) => {
    const byName = a.service.localeCompare(b.service);
    if (sort.key === 'service') return sign * byName;
    const difference = a[sort.key] - b[sort.key];
    return difference !== 0 ? sign * difference : byName;
  });
}

/** A header clicked: the same column flips its direction, a new one starts with its natural order. */
export function nextSort(current: ServiceSort, key: ServiceSortKey): ServiceSort {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { key, direction: key === 'service' ? 'ascending' : 'descending' };
}

export interface Kpis {
  projectedTotal: number;
  averageMonthly: number;
  months: number;
  trend: ForecastReport['trend'];
  anomalies: number;
  /** 1 − MAPE in [0, 1]; null without a backtest. */
  accuracy: number | null;
  mape: number | null;
}

export function kpis(report: ForecastReport): Kpis {
  const projectedTotal = report.forecast.reduce((sum, point) => sum + point.forecast_value, 0);
  const months = report.forecast.length;
  return {
    projectedTotal,
    averageMonthly: months > 0 ? projectedTotal / months : 0,
    months,
    trend: report.trend,
    anomalies: report.anomalies.length,
    accuracy: report.accuracy_score,
    mape: report.backtest?.mape ?? null,
  };
}

export type Severity = 'high' | 'medium' | 'low';

/**
 * How serious an anomaly looks: by how far it stands from the expected level (robust deviations)
 * or how large it is against the expected cost, whichever says more.
 */
export function anomalySeverity(anomaly: Pick<Anomaly, 'score' | 'actual' | 'expected'>): Severity {
  const deviations = Math.abs(anomaly.score);
  const ratio = Math.abs(anomaly.actual - anomaly.expected) / Math.max(Math.abs(anomaly.expected), 1e-9);
  if (deviations >= 8 || ratio >= 1) return 'high';
  if (deviations >= 5 || ratio >= 0.5) return 'medium';
  return 'low';
}

/** The anomaly's service as people read it: the API's `*` is the tenant's total. */
export function serviceName(service: string): string {
  return service === '*' ? 'All services' : service;
}
