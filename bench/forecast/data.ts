/**
 * Reading the harness inputs: competition series as JSON lines and the R
 * `forecast` reference tables (CSV, one row per method).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** One competition series: forecast `test` (length `horizon`) from `train`. */
export interface BenchSeries {
  collection: string;
  id: string;
  period: string;
  frequency: number;
  horizon: number;
  start?: number[];
  train: number[];
  test: number[];
}

/** Parses a JSON-lines file of series, rejecting malformed lines with their line number. */
export function readSeries(path: string): BenchSeries[] {
  const out: BenchSeries[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const s = JSON.parse(line) as BenchSeries;
    if (!Array.isArray(s.train) || !Array.isArray(s.test) || typeof s.frequency !== 'number') {
      throw new Error(`${path}:${i + 1}: not a series (needs train, test, frequency)`);
    }
    s.horizon = s.horizon ?? s.test.length;
    out.push(s);
  });
  return out;
}

/** A row of an R reference table: metric name → value. */
export type RRow = Record<string, number>;

/** Reads `r-forecast_<collection>_<period>.csv` from `dir`; empty map when absent. */
export function readRTable(dir: string, collection: string, period: string): Map<string, RRow> {
  const file = join(dir, `r-forecast_${collection.toLowerCase()}_${period.toLowerCase()}.csv`);
  const table = new Map<string, RRow>();
  if (!existsSync(file)) return table;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').split(',').map((h) => h.replace(/"/g, ''));
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.replace(/"/g, ''));
    const row: RRow = {};
    header.forEach((h, i) => {
      if (i > 0) row[h] = Number(cells[i]);
    });
    table.set(cells[0] ?? '', row);
  }
  return table;
}
