import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etsLikelihood, etsPointForecast, type EtsParams, type EtsState } from './ets-model.ts';
import { fitEts } from './ets-fit.ts';
import { autoEts, candidateSpecs } from './ets-select.ts';
import { etsForecastMean, etsIntervals, linearVariances } from './ets-intervals.ts';

const params = (p: Partial<EtsParams>): EtsParams => ({
  alpha: 0.5,
  beta: 0,
  gamma: 0,
  phi: 1,
  l0: 0,
  b0: 0,
  s0: new Float64Array(1),
  ...p,
});
const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

test('ETS(A,N,N) recursion matches a hand computation', () => {
  // l0 = 10, α = 0.5: ŷ1 = 10, e1 = 2, l1 = 11; ŷ2 = 11, e2 = −3, l2 = 9.5.
  const state: EtsState = { l: 0, b: 0, s: new Float64Array(1), t: 0 };
  const lik = etsLikelihood(
    [12, 8],
    1,
    { error: 'A', trend: 'N', season: 'N' },
    params({ l0: 10 }),
    new Float64Array(1),
    { state },
  );
  close(state.l, 9.5);
  close(lik, 2 * Math.log(4 + 9));
});

test('ETS(A,A,N) recursion matches a hand computation', () => {
  // α = 0.5, β = 0.25 (β/α = 0.5), l0 = 10, b0 = 1; y1 = 13: ŷ = 11, e = 2, l1 = 12, b1 = 1 + 0.5·(12 − 10 − 1) = 1.5.
  const state: EtsState = { l: 0, b: 0, s: new Float64Array(1), t: 0 };
  etsLikelihood(
    [13],
    1,
    { error: 'A', trend: 'A', season: 'N' },
    params({ beta: 0.25, l0: 10, b0: 1 }),
    new Float64Array(1),
    { state },
  );
  close(state.l, 12);
  close(state.b, 1.5);
  const f = etsPointForecast({ error: 'A', trend: 'A', season: 'N' }, 1, state, 1, 3);
  assert.deepEqual(Array.from(f), [13.5, 15, 16.5]);
});

test('multiplicative error adds 2·Σlog ŷ to the likelihood', () => {
  const lik = etsLikelihood(
    [12, 8],
    1,
    { error: 'M', trend: 'N', season: 'N' },
    params({ l0: 10 }),
    new Float64Array(1),
  );
  const e1 = 2 / 10;
  const e2 = -3 / 11;
  close(lik, 2 * Math.log(e1 * e1 + e2 * e2) + 2 * (Math.log(10) + Math.log(11)), 1e-9);
});

test('a pure linear trend is extrapolated by ETS(A,A,N)', () => {
  const y = Array.from({ length: 30 }, (_, t) => 5 + 2 * t + (t % 2 ? 0.01 : -0.01));
  const fit = fitEts(y, 1, { error: 'A', trend: 'A', season: 'N' });
  assert.ok(fit);
  const f = etsForecastMean(fit, 3);
  [65, 67, 69].forEach((v, h) => close(f[h] as number, v, 0.2));
});

test('a pure seasonal pattern is repeated by ETS(A,N,A)', () => {
  const pattern = [10, 20, 30, 15];
  const y = Array.from({ length: 32 }, (_, t) => (pattern[t % 4] as number) + (t % 3 === 0 ? 0.05 : 0));
  const fit = fitEts(y, 4, { error: 'A', trend: 'N', season: 'A' });
  assert.ok(fit);
  const f = etsForecastMean(fit, 4);
  pattern.forEach((v, h) => close(f[h] as number, v, 0.5));
});

test('multiplicative forms are not offered for data with zeros, nor seasonal forms for short data', () => {
  const withZero = [3, 0, 4, 5, 6, 7, 3, 4, 5, 6, 7, 8];
  assert.ok(candidateSpecs(withZero, 4).every((s) => s.error === 'A' && s.season !== 'M'));
  assert.ok(candidateSpecs([1, 2, 3, 4, 5], 4).every((s) => s.season === 'N'));
  assert.ok(candidateSpecs(withZero, 4).every((s) => !(s.error === 'A' && s.season === 'M')));
});

test('autoEts picks a model and its class-1 variance grows as σ²(1 + α²(h−1)) for ETS(A,N,N)', () => {
  const y = [10, 12, 9, 11, 13, 10, 12, 11, 9, 10, 12, 11, 10, 13];
  const res = autoEts(y, 1);
  assert.ok(res);
  const ann = res.fits.find((f) => f.spec.error === 'A' && f.spec.trend === 'N');
  assert.ok(ann);
  const v = linearVariances(ann, 3);
  const a = ann.params.alpha;
  close(v[2] as number, ann.sigma2 * (1 + 2 * a * a), 1e-9);
  const bands = etsIntervals(ann, etsForecastMean(ann, 3), 3, [0.8, 0.95]);
  assert.ok((bands[1]?.upper[0] as number) > (bands[0]?.upper[0] as number));
});

test('constant series and 3-point histories are refused by autoEts rather than mis-fitted', () => {
  assert.equal(autoEts([5, 5, 5, 5, 5, 5], 1), null);
  assert.equal(autoEts([1, 2, 3], 1), null);
});
