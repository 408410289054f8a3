import { describe, expect, it } from 'vitest';
import { labelStep, toChartData } from './chart-data.ts';
import { sampleReport } from './report.fixture.ts';

describe('forecast chart data mapping', () => {
  it('aligns the full months of history and the forecast months on one x axis', () => {
    const chart = toChartData(sampleReport());
    expect(chart.months).toEqual(['2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    const [x, actual, forecast, lower, upper] = chart.series;
    expect(x).toEqual([0, 1, 2, 3, 4]);
    // The partial current month is not drawn as actual: its forecast (the nowcast) stands for it.
    expect(actual).toEqual([900, 1000, 1100, null, null]);
    expect(forecast).toEqual([null, null, 1100, 1200, 1300]);
    expect(lower).toEqual([null, null, 1100, 1100, 1150]);
    expect(upper).toEqual([null, null, 1100, 1300, 1450]);
    for (const series of chart.series) expect(series).toHaveLength(chart.months.length);
  });

  it('names the band after the level and points uPlot at the bound series', () => {
    const chart = toChartData(sampleReport({ interval_level: 95 }));
    expect(chart.intervalLabel).toBe('95 % interval');
    expect(chart.band).toEqual({ lower: 3, upper: 4 });
    expect(chart.series[chart.band.lower]).toEqual([null, null, 1100, 1100, 1150]);
  });

  it('labels each month and carries the currency', () => {
    const chart = toChartData(sampleReport({ currency: 'EUR' }));
    expect(chart.labels).toHaveLength(5);
    expect(chart.labels[0]).toMatch(/2026/);
    expect(chart.labels[0]).not.toBe(chart.labels[1]);
    expect(chart.currency).toBe('EUR');
  });

  it('summarises history, forecast total, interval and trend in words', () => {
    const { summary } = toChartData(sampleReport());
    expect(summary).toContain('Actual cost for 3 months');
    expect(summary).toContain('Forecast for 2 months');
    expect(summary).toContain('$2,500.00 in total');
    expect(summary).toContain('80 % interval $1,150.00 to $1,450.00');
    expect(summary).toContain('Trend increasing');
  });

  it('draws a forecast without history and history without a forecast', () => {
    const noHistory = toChartData(sampleReport({ history: [] }));
    expect(noHistory.series[1]).toEqual([null, null]);
    expect(noHistory.series[2]).toEqual([1200, 1300]);
    const noForecast = toChartData(sampleReport({ forecast: [] }));
    expect(noForecast.series[2]).toEqual([null, null, null]);
  });

  it('spaces the axis labels so they fit the width', () => {
    expect(labelStep(12, 1200)).toBe(1);
    expect(labelStep(30, 1200)).toBe(2);
    expect(labelStep(30, 320)).toBe(12);
    expect(labelStep(50, 100)).toBe(12);
  });
});
