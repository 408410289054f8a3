/**
 * In-process harness core, shared by the CLI's workers and the regression
 * test: score a list of series with a method and summarise per group.
 */
import type { Method } from '../../src/forecasting/engine/forecast.ts';
import type { BenchSeries } from './data.ts';
import { scoreSeries, summarise, type Summary } from './evaluate.ts';

/** Scores every series with `method` on this thread and summarises per "collection PERIOD" group and overall. */
export function evaluateInProcess(
  series: BenchSeries[],
  method: Method,
): { groups: Map<string, Summary>; overall: Summary } {
  const scores = series.map((s) => scoreSeries(s, method));
  const groups = new Map<string, Summary>();
  for (const key of new Set(scores.map((s) => s.key))) groups.set(key, summarise(scores.filter((s) => s.key === key)));
  return { groups, overall: summarise(scores) };
}

/** Every k-th series of a list: a fixed, representative subset. */
export function everyKth<T>(xs: T[], k: number): T[] {
  return xs.filter((_, i) => i % k === 0);
}
