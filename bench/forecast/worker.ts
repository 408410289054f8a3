/**
 * Harness worker thread: scores its share of the series with every
 * requested method and posts the scores back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Method } from '../../src/forecasting/engine/forecast.ts';
import type { BenchSeries } from './data.ts';
import { scoreSeries, type SeriesScore } from './evaluate.ts';

const { series, methods } = workerData as { series: BenchSeries[]; methods: Method[] };
const scores: SeriesScore[] = [];
for (const s of series) for (const m of methods) scores.push(scoreSeries(s, m));
parentPort?.postMessage(scores);
