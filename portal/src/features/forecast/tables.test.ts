import { describe, expect, it } from 'vitest';
import { sampleReport } from './report.fixture.ts';
import {
  anomalySeverity,
  formatChange,
  kpis,
  monthlyRows,
  monthOverMonth,
  nextSort,
  serviceName,
  sortServices,
} from './tables.ts';

describe('month-over-month change', () => {
  it('is the percent change from the previous month', () => {
    expect(monthOverMonth(1000, 1100)).toBeCloseTo(10);
    expect(monthOverMonth(1000, 900)).toBeCloseTo(-10);
    expect(monthOverMonth(undefined, 900)).toBeNull();
    expect(monthOverMonth(0, 900)).toBeNull();
  });

  it('formats with a sign and one decimal', () => {
    expect(formatChange(4.24)).toBe('+4.2 %');
    expect(formatChange(-3)).toBe('−3.0 %');
    expect(formatChange(0.01)).toBe('0.0 %');
    expect(formatChange(null)).toBe('—');
  });

  it('runs through history into the forecast, the first forecast month from the last full one', () => {
    const rows = monthlyRows(sampleReport());
    expect(rows.map((row) => [row.month, row.kind, row.amount])).toEqual([
      ['2026-08', 'actual', 900],
      ['2026-09', 'actual', 1000],
      ['2026-10', 'actual', 1100],
      ['2026-11', 'forecast', 1200],
      ['2026-12', 'forecast', 1300],
    ]);
    expect(rows[0]!.change).toBeNull();
    expect(rows[1]!.change).toBeCloseTo(11.11, 2);
    expect(rows[3]!.change).toBeCloseTo(9.09, 2);
    expect(rows[3]).toMatchObject({ lower: 1100, upper: 1300 });
  });

  it('keeps the last months of history, the first shown still with its change', () => {
    const rows = monthlyRows(sampleReport(), 2);
    expect(rows.map((row) => row.month)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
    expect(rows[0]!.change).toBeCloseTo(11.11, 2);
  });
});

describe('cost by service', () => {
  const services = sampleReport().service_breakdown;

  it('sorts by name, amount or share in either direction', () => {
    const names = (key: 'service' | 'projected_cost' | 'percentage', direction: 'ascending' | 'descending') =>
      sortServices(services, { key, direction }).map((row) => row.service);
    expect(names('service', 'descending')).toEqual(['S3', 'RDS', 'EC2']);
    expect(names('projected_cost', 'ascending')).toEqual(['S3', 'RDS', 'EC2']);
    expect(names('percentage', 'descending')).toEqual(['EC2', 'RDS', 'S3']);
  });

  it('flips the direction on the same column and starts amounts largest first', () => {
    expect(nextSort({ key: 'service', direction: 'ascending' }, 'service')).toEqual({
      key: 'service',
      direction: 'descending',
    });
    expect(nextSort({ key: 'service', direction: 'ascending' }, 'projected_cost')).toEqual({
      key: 'projected_cost',
      direction: 'descending',
    });
  });
});

describe('KPI cards and anomalies', () => {
  it('adds up the forecast months', () => {
    const cards = kpis(sampleReport());
    expect(cards).toMatchObject({ projectedTotal: 2500, averageMonthly: 1250, months: 2, accuracy: 0.94, mape: 6 });
    expect(kpis(sampleReport({ forecast: [], backtest: null, accuracy_score: null }))).toMatchObject({
      projectedTotal: 0,
      averageMonthly: 0,
      accuracy: null,
      mape: null,
    });
  });

  it('grades anomalies by deviations or relative size', () => {
    expect(anomalySeverity({ score: 9, actual: 150, expected: 100 })).toBe('high');
    expect(anomalySeverity({ score: 4, actual: 410, expected: 120 })).toBe('high');
    expect(anomalySeverity({ score: -5.5, actual: 80, expected: 100 })).toBe('medium');
    expect(anomalySeverity({ score: 4, actual: 130, expected: 100 })).toBe('low');
  });

  it('names the total', () => {
    expect(serviceName('*')).toBe('All services');
    expect(serviceName('EC2')).toBe('EC2');
  });
});
