// The forecast as the chart draws it: one x position per month, the actual history, the forecast
// line and its interval band as aligned arrays (uPlot's data layout), plus the words a screen
// reader gets instead of the picture.
import { formatMoney } from '../../ui/format.ts';
import { intervalLabel } from './controls.ts';
import { formatMonth } from './months.ts';
import type { ForecastReport } from './types.ts';

type Series = Array<number | null>;

export interface ChartData {
  /** "2026-11" for each x position. */
  months: string[];
  /** "Nov 2026" for each x position, for the axis. */
  labels: string[];
  /** x (month index), actual, forecast, lower bound, upper bound: uPlot's aligned data. */
  series: [number[], Series, Series, Series, Series];
  /** Indices of the lower and upper series in `series`, for uPlot's `bands`. */
  band: { lower: 3; upper: 4 };
  /** What the legend calls the band ("80 % interval"). */
  intervalLabel: string;
  currency: string;
  /** A sentence summarising the chart, for its accessible name. */
  summary: string;
}

export const BAND_SERIES = { lower: 3, upper: 4 } as const;

/**
 * Maps a forecast to the chart. Partial months (the current month so far, a first month started
 * mid-way) are left out of the actual line: drawn, they would look like a collapse in spending. The
 * forecast line and band start at the last full month's actual value so the two lines join.
 */
export function toChartData(report: ForecastReport): ChartData {
  const full = report.history.filter((month) => !month.partial);
  const forecastMonths = report.forecast.filter((point) => !full.some((month) => month.month === point.month));
  const months = [...full.map((month) => month.month), ...forecastMonths.map((point) => point.month)];

  const actual: Series = [...full.map((month) => month.actual), ...forecastMonths.map(() => null)];
  const forecast: Series = months.map(() => null);
  const lower: Series = months.map(() => null);
  const upper: Series = months.map(() => null);
  const last = full.length - 1;
  if (last >= 0 && forecastMonths.length > 0) {
    const joint = full[last]!.actual;
    forecast[last] = joint;
    lower[last] = joint;
    upper[last] = joint;
  }
  forecastMonths.forEach((point, index) => {
    forecast[full.length + index] = point.forecast_value;
    lower[full.length + index] = point.lower_bound;
    upper[full.length + index] = point.upper_bound;
  });

  return {
    months,
    labels: months.map(formatMonth),
    series: [months.map((_, index) => index), actual, forecast, lower, upper],
    band: BAND_SERIES,
    intervalLabel: intervalLabel(report.interval_level),
    currency: report.currency,
    summary: chartSummary(report, full, forecastMonths),
  };
}

function chartSummary(
  report: ForecastReport,
  full: ForecastReport['history'],
  forecastMonths: ForecastReport['forecast'],
): string {
  const money = (amount: number) => formatMoney(amount, report.currency);
  const parts = ['Monthly cost chart.'];
  const first = full[0];
  const last = full[full.length - 1];
  if (first && last) {
    parts.push(
      `Actual cost for ${full.length} months, ${formatMonth(first.month)} to ${formatMonth(last.month)}, ` +
        `last month ${money(last.actual)}.`,
    );
  }
  const start = forecastMonths[0];
  const end = forecastMonths[forecastMonths.length - 1];
  if (start && end) {
    const total = forecastMonths.reduce((sum, point) => sum + point.forecast_value, 0);
    parts.push(
      `Forecast for ${forecastMonths.length} months, ${formatMonth(start.month)} to ${formatMonth(end.month)}, ` +
        `${money(total)} in total, ending at ${money(end.forecast_value)} ` +
        `(${intervalLabel(report.interval_level)} ${money(end.lower_bound)} to ${money(end.upper_bound)}).`,
    );
  }
  parts.push(`Trend ${report.trend}.`);
  return parts.join(' ');
}

/** How many months apart the axis labels stand so they do not overlap at this width (px). */
export function labelStep(monthCount: number, width: number, labelWidth = 72): number {
  const fit = Math.max(1, Math.floor(width / labelWidth));
  for (const step of [1, 2, 3, 4, 6, 12]) if (Math.ceil(monthCount / step) <= fit) return step;
  return 12;
}

/** The chart's fixed height (px), reserved before the chart and its data arrive. */
export const CHART_HEIGHT = 300;
