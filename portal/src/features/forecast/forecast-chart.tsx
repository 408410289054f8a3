// The history-and-forecast chart: uPlot on a canvas, loaded lazily with its CSS so neither is in
// the initial bundle. The height is fixed (and reserved by the page before this chunk arrives), the
// width follows the container.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMoney } from '../../ui/format.ts';
import { CHART_HEIGHT, labelStep } from './chart-data.ts';
import type { ChartData } from './chart-data.ts';

const COLORS = {
  actual: '#1d4ed8',
  forecast: '#b45309',
  bound: 'rgba(180, 83, 9, 0.35)',
  band: 'rgba(245, 158, 11, 0.18)',
  grid: '#e5e8ee',
  axis: '#566072',
};

function options(chart: ChartData, width: number, onHover: (index: number | null) => void): uPlot.Options {
  const money = (value: number) => formatMoney(value, chart.currency, { compact: true });
  return {
    width,
    height: CHART_HEIGHT,
    legend: { show: false },
    // Room on the right for the last month's label, centred under the plot's edge.
    padding: [12, 32, null, null],
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    scales: { x: { time: false } },
    axes: [
      {
        stroke: COLORS.axis,
        grid: { stroke: COLORS.grid },
        ticks: { stroke: COLORS.grid },
        // One split per month, thinned so the labels do not overlap at this width.
        splits: (self) => {
          const step = labelStep(chart.months.length, self.width);
          return chart.months.map((_, index) => index).filter((index) => index % step === 0);
        },
        values: (_self, splits) => splits.map((index) => chart.labels[index] ?? ''),
      },
      {
        stroke: COLORS.axis,
        grid: { stroke: COLORS.grid },
        ticks: { stroke: COLORS.grid },
        size: 64,
        values: (_self, splits) => splits.map(money),
      },
    ],
    series: [
      {},
      { label: 'Actual', stroke: COLORS.actual, width: 2, points: { show: true, size: 4 } },
      { label: 'Forecast', stroke: COLORS.forecast, width: 2, dash: [6, 4], points: { show: true, size: 4 } },
      { label: `Lower bound, ${chart.intervalLabel}`, stroke: COLORS.bound, width: 1, points: { show: false } },
      { label: `Upper bound, ${chart.intervalLabel}`, stroke: COLORS.bound, width: 1, points: { show: false } },
    ],
    bands: [{ series: [chart.band.upper, chart.band.lower], fill: COLORS.band }],
    hooks: { setCursor: [(self) => onHover(self.cursor.idx ?? null)] },
  };
}

/** What the pointed month shows below the chart: its actual cost or its forecast and interval. */
function readout(chart: ChartData, index: number): string {
  const money = (value: number) => formatMoney(value, chart.currency);
  const [, actual, forecast, lower, upper] = chart.series;
  const label = chart.labels[index] ?? '';
  const actualValue = actual[index];
  if (actualValue !== null && actualValue !== undefined) return `${label}: actual ${money(actualValue)}`;
  const value = forecast[index];
  const low = lower[index];
  const high = upper[index];
  if (value === null || value === undefined || low == null || high == null) return label;
  return `${label}: forecast ${money(value)}, ${chart.intervalLabel} ${money(low)} – ${money(high)}`;
}

export default function ForecastChart({ chart }: { chart: ChartData }) {
  const container = useRef<HTMLDivElement>(null);
  const [hovered, setHovered] = useState<number | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const plot = new uPlot(
      options(chart, Math.max(element.clientWidth, 200), setHovered),
      chart.series as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== plot.width) plot.setSize({ width, height: CHART_HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [chart]);

  return (
    <>
      <div
        ref={container}
        className="forecast-chart-canvas"
        role="img"
        aria-label={chart.summary}
        style={{ height: CHART_HEIGHT }}
      />
      <p className="forecast-chart-readout muted" aria-hidden="true">
        {hovered === null ? 'Point at a month to see its amount.' : readout(chart, hovered)}
      </p>
    </>
  );
}
