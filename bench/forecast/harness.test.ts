/**
 * Accuracy regression test: the engine's 'auto' method on a fixed subset
 * (every 5th series of the development files) must stay at or below the
 * recorded sMAPE and MASE (+1 % slack), so a change that makes forecasts
 * worse fails here. Re-record the bounds when an improvement lands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSeries } from './data.ts';
import type { BenchSeries } from './data.ts';
import { evaluateInProcess, everyKth, splitHalf } from './harness.ts';

const dir = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

// Recorded on the subset (sMAPE, MASE), engine 'auto'.
const BOUNDS: Record<string, [number, number]> = {
  'tourism MONTHLY': [17.076, 1.4333],
  'tourism QUARTERLY': [11.833, 1.53],
  'tourism YEARLY': [18.665, 2.8942],
  'm1 YEARLY': [21.31, 4.7103],
  'm1 QUARTERLY': [21.581, 1.9673],
  'm1 MONTHLY': [15.584, 1.0536],
};

test(
  'harness regression: accuracy on a fixed subset stays below the recorded bounds',
  { skip: !existsSync(`${dir}tourism.jsonl`) && 'shared/data not present' },
  () => {
    const series = [...everyKth(readSeries(`${dir}tourism.jsonl`), 5), ...everyKth(readSeries(`${dir}m1.jsonl`), 5)];
    const { groups } = evaluateInProcess(series, 'auto');
    for (const [key, [smape, mase]] of Object.entries(BOUNDS)) {
      const g = groups.get(key);
      assert.ok(g, `group ${key} missing`);
      assert.ok(g.smape <= smape * 1.01, `${key}: sMAPE ${g.smape.toFixed(3)} > bound ${smape}`);
      assert.ok(g.mase <= mase * 1.01, `${key}: MASE ${g.mase.toFixed(4)} > bound ${mase}`);
    }
    for (const key of ['tourism MONTHLY', 'm1 MONTHLY']) {
      const g = groups.get(key);
      assert.ok(g && g.cov80 > 0.72 && g.cov80 < 0.9, `${key}: cov80 ${g?.cov80}`);
      assert.ok(g && g.cov95 > 0.88 && g.cov95 < 0.99, `${key}: cov95 ${g?.cov95}`);
    }
  },
);

test('the split halves alternate within each collection and period and together hold every series', () => {
  const series = ['m1 MONTHLY', 'm1 YEARLY', 'm1 MONTHLY', 'tourism MONTHLY', 'm1 MONTHLY', 'm1 YEARLY'].map(
    (key, i): BenchSeries => {
      const [collection = '', period = ''] = key.split(' ');
      return { collection, period, id: String(i), frequency: 12, horizon: 1, train: [1], test: [1] };
    },
  );
  assert.deepEqual(
    splitHalf(series, 'even').map((s) => s.id),
    ['0', '1', '3', '4'],
  );
  assert.deepEqual(
    splitHalf(series, 'odd').map((s) => s.id),
    ['2', '5'],
  );
});
