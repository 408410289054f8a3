/**
 * Anomaly detection accuracy and speed on generated daily cost series with anomalies of known size
 * injected on known days. Prints precision and recall, overall and by injected size, for the
 * detector (src/forecasting/anomalies/detect.ts) beside the platform's old rule alone (a day above
 * 150 % of the prior 7-day average) measured on the same series in the same run, and the detector's
 * throughput.
 *
 *   node --import tsx bench/costs/anomalies.ts [--series 500] [--days 400] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { detectAnomalies, TOTAL_SERVICE } from '../../src/forecasting/anomalies/detect.ts';
import type { CostDay } from '../../src/forecasting/anomalies/detect.ts';
import { normalSampler, seededRandom } from '../../src/forecasting/engine/stats.ts';

const { values } = parseArgs({
  options: {
    series: { type: 'string', default: '500' },
    days: { type: 'string', default: '400' },
    seed: { type: 'string', default: '1' },
  },
});
const SERIES = Number(values.series);
const DAYS = Number(values.days);
const SEED = Number(values.seed);
/** Days of history before anything is scored or injected (the detector needs four weeks; give it more). */
const WARM_UP = 100;
/** Injected anomalies per series, at least MIN_GAP days apart. */
const PER_SERIES = 6;
const MIN_GAP = 12;
/** Injected multipliers: spikes and drops of known size. */
const BUCKETS = [
  { label: '+50 %', factor: 1.5 },
  { label: '+100 %', factor: 2 },
  { label: '+200 %', factor: 3 },
  { label: '+300 %', factor: 4 },
  { label: '−40 %', factor: 0.6 },
  { label: '−60 %', factor: 0.4 },
  { label: '−90 %', factor: 0.1 },
];

const START = Date.parse('2025-01-01T00:00:00Z');
const dateAt = (i: number) => new Date(START + i * 86_400_000).toISOString().slice(0, 10);

interface Generated {
  days: CostDay[];
  values: number[];
  /** Day index → bucket index. */
  injected: Map<number, number>;
}

/** Trend, weekly and yearly seasonality, multiplicative noise, and injected anomalies. */
function generate(index: number): Generated {
  const rand = seededRandom(SEED * 100_003 + index);
  const normal = normalSampler(rand);
  const level = 20 + rand() * 2000;
  const yearlyTrend = -0.2 + rand() * 0.8;
  const weekend = 0.5 + rand() * 0.5;
  const yearlyAmplitude = rand() * 0.2;
  const phase = rand() * 2 * Math.PI;
  const noise = 0.02 + rand() * 0.08;
  const injected = new Map<number, number>();
  while (injected.size < PER_SERIES) {
    const day = WARM_UP + Math.floor(rand() * (DAYS - WARM_UP));
    if ([...injected.keys()].some((d) => Math.abs(d - day) < MIN_GAP)) continue;
    injected.set(day, Math.floor(rand() * BUCKETS.length));
  }
  const values: number[] = [];
  for (let i = 0; i < DAYS; i += 1) {
    const weekday = new Date(START + i * 86_400_000).getUTCDay();
    const base =
      level *
      (1 + (yearlyTrend * i) / 365) *
      (weekday === 0 || weekday === 6 ? weekend : 1) *
      (1 + yearlyAmplitude * Math.sin((2 * Math.PI * i) / 365.25 + phase));
    const noisy = base * Math.max(0.05, 1 + noise * normal());
    const bucket = injected.get(i);
    values.push(bucket === undefined ? noisy : noisy * (BUCKETS[bucket]?.factor ?? 1));
  }
  return { values, injected, days: values.map((amount, i) => ({ date: dateAt(i), service: 'svc', amount })) };
}

/** The old rule alone, as the platform had it: a day above 150 % of the average of the 7 days before. */
function oldRule(values: readonly number[]): Set<number> {
  const flagged = new Set<number>();
  for (let t = WARM_UP; t < values.length; t += 1) {
    let sum = 0;
    for (let s = t - 7; s < t; s += 1) sum += values[s] as number;
    if ((values[t] as number) > 1.5 * (sum / 7)) flagged.add(t);
  }
  return flagged;
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
  byBucket: { hit: number; total: number }[];
}
const emptyTally = (): Tally => ({ tp: 0, fp: 0, fn: 0, byBucket: BUCKETS.map(() => ({ hit: 0, total: 0 })) });

function score(tally: Tally, series: Generated, flagged: Set<number>) {
  for (const day of flagged) {
    if (series.injected.has(day)) tally.tp += 1;
    else tally.fp += 1;
  }
  for (const [day, bucket] of series.injected) {
    const cell = tally.byBucket[bucket] as { hit: number; total: number };
    cell.total += 1;
    if (flagged.has(day)) cell.hit += 1;
    else tally.fn += 1;
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`.padStart(8);

const generated = Array.from({ length: SERIES }, (_, i) => generate(i));
const detector = emptyTally();
const baseline = emptyTally();

const detectorStart = process.hrtime.bigint();
const detectorFlags = generated.map((series) => {
  const found = detectAnomalies(series.days, { from: dateAt(WARM_UP), to: dateAt(DAYS - 1), currency: 'USD' });
  return new Set(
    found
      .filter((a) => a.service !== TOTAL_SERVICE)
      .map((a) => Math.round((Date.parse(`${a.date}T00:00:00Z`) - START) / 86_400_000)),
  );
});
const detectorSeconds = Number(process.hrtime.bigint() - detectorStart) / 1e9;
const baselineStart = process.hrtime.bigint();
const baselineFlags = generated.map((series) => oldRule(series.values));
const baselineSeconds = Number(process.hrtime.bigint() - baselineStart) / 1e9;

generated.forEach((series, i) => {
  score(detector, series, detectorFlags[i] as Set<number>);
  score(baseline, series, baselineFlags[i] as Set<number>);
});

const precision = (t: Tally) => t.tp / Math.max(1, t.tp + t.fp);
const recall = (t: Tally) => t.tp / Math.max(1, t.tp + t.fn);
const scoredDays = SERIES * (DAYS - WARM_UP);

console.log(
  `Anomaly detection: ${SERIES} series × ${DAYS} days (scored after day ${WARM_UP}), ${SERIES * PER_SERIES} injected anomalies, seed ${SEED}`,
);
console.log('');
console.log(`${''.padEnd(30)}${'detector'.padStart(10)}${'old 150 % rule'.padStart(16)}`);
const row = (label: string, a: string, b: string) =>
  console.log(`${label.padEnd(30)}${a.padStart(10)}${b.padStart(16)}`);
row('precision', pct(precision(detector)), pct(precision(baseline)));
row('recall', pct(recall(detector)), pct(recall(baseline)));
row('false alarms', String(detector.fp), String(baseline.fp));
row(
  'false alarms per 1,000 days',
  ((1000 * detector.fp) / scoredDays).toFixed(2),
  ((1000 * baseline.fp) / scoredDays).toFixed(2),
);
console.log('');
console.log('recall by injected size');
BUCKETS.forEach((bucket, b) => {
  const d = detector.byBucket[b] as { hit: number; total: number };
  const o = baseline.byBucket[b] as { hit: number; total: number };
  row(`  ${bucket.label} (${d.total})`, pct(d.hit / Math.max(1, d.total)), pct(o.hit / Math.max(1, o.total)));
});
console.log('');
row('throughput (series/s)', (SERIES / detectorSeconds).toFixed(0), (SERIES / baselineSeconds).toFixed(0));
row(
  'time per series (ms)',
  ((1000 * detectorSeconds) / SERIES).toFixed(2),
  ((1000 * baselineSeconds) / SERIES).toFixed(3),
);
