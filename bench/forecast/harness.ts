/**
 * In-process harness core, shared by the CLI's workers and the regression
 * test: score a list of series with a method and summarise per group.
 */
import type { Method } from '../../src/forecasting/engine/forecast.ts';
import type { BenchSeries } from './data.ts';
import { groupKey, scoreSeries, summarise, type Summary } from './evaluate.ts';

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

/**
 * One half of the series: those at odd (or even) 0-based positions among the series of their own
 * collection and period. Engine changes are tuned on the odd half and judged on the even half.
 */
export function splitHalf(series: BenchSeries[], half: 'odd' | 'even'): BenchSeries[] {
  const seen = new Map<string, number>();
  return series.filter((s) => {
    const position = seen.get(groupKey(s)) ?? 0;
    seen.set(groupKey(s), position + 1);
    return position % 2 === (half === 'odd' ? 1 : 0);
  });
}
