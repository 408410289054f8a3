import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyScore, coverage, mape, mase, msis, naiveScale, smape } from './metrics.ts';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

test('metrics by hand', () => {
  const y = [100, 200];
  const f = [110, 180];
  close(mape(y, f), 10);
  close(smape(y, f), (200 * 10) / 210 / 2 + (200 * 20) / 380 / 2);
  close(naiveScale([1, 3, 2, 6], 1), (2 + 1 + 4) / 3);
  close(naiveScale([1, 3, 2, 6, 5], 2), (1 + 3 + 3) / 3);
  close(mase(y, f, 10), 1.5);
  // Interval [90,120] misses 200 by 80 and contains 100: ((30) + (30 + 40·80)) / 2 / 10.
  close(msis(y, [90, 90], [120, 120], 10), (30 + 30 + 40 * 80) / 2 / 10);
  close(coverage(y, [90, 90], [120, 120]), 0.5);
  assert.equal(smape([0], [0]), 0);
});

test('accuracy score is 1 − MAPE clamped to [0, 1]', () => {
  close(accuracyScore(12.5), 0.875);
  assert.equal(accuracyScore(250), 0);
  assert.equal(accuracyScore(0), 1);
  assert.equal(accuracyScore(Number.NaN), 0);
});
