import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drift, naive, seasonalNaive } from './baselines.ts';
import { fitTheta, thetaForecastMean } from './theta.ts';
import { isSeasonal, seasonalIndices, acf } from './series.ts';
import { nelderMead } from './optim.ts';
import { qnorm, qt, quantileSelect, quantileSorted, seededRandom } from './stats.ts';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

test('baselines: naive, seasonal naive and drift by hand', () => {
  const y = [1, 2, 4, 3, 5, 6, 8, 7];
  assert.deepEqual(naive(y, 2, [0.8]).mean, [7, 7]);
  assert.deepEqual(seasonalNaive(y, 4, 6, [0.8]).mean, [5, 6, 8, 7, 5, 6]);
  // Drift: slope (7 − 1)/7 per step.
  drift(y, 2, [0.8]).mean.forEach((v, h) => close(v, 7 + ((h + 1) * 6) / 7));
  // Naive sd: RMS of differences [1,2,−1,2,1,2,−1] = √(16/7), grows as √h.
  const b = naive(y, 4, [0.95]).intervals[0];
  assert.ok(b);
  close((b.upper[3] as number) - 7, 1.959963985 * Math.sqrt(16 / 7) * 2, 1e-6);
});

test('seasonality test and classical decomposition find a pure seasonal pattern', () => {
  const pattern = [0.8, 1.2, 1.5, 0.5];
  const y = Array.from({ length: 40 }, (_, t) => 100 * (pattern[t % 4] as number));
  assert.equal(isSeasonal(y, 4), true);
  const idx = seasonalIndices(y, 4, 'multiplicative');
  pattern.forEach((p, j) => close(idx[j] as number, p, 1e-9));
  const rand = seededRandom(7);
  assert.equal(
    isSeasonal(
      Array.from({ length: 40 }, () => rand()),
      4,
    ),
    false,
  );
  close(acf([1, 2, 3, 4], 1)[0] as number, 0.25, 1e-12);
});

test('Theta on a linear trend continues it with half the slope plus SES catching up', () => {
  const y = Array.from({ length: 20 }, (_, t) => 10 + 3 * t);
  const fit = fitTheta(y, 1);
  close(fit.drift, 1.5, 1e-9);
  const f = thetaForecastMean(fit, 2);
  // SES tracks the last value closely (α → 1), so the forecast is ≈ last + b/2·(h − 1 + 1/α).
  assert.ok(Math.abs((f[0] as number) - (67 + 1.5 / fit.alpha)) < 1.5);
  assert.ok((f[1] as number) > (f[0] as number));
});

test('Theta reseasonalises when the series is seasonal', () => {
  const pattern = [0.8, 1.2, 1.5, 0.5];
  const y = Array.from({ length: 40 }, (_, t) => (100 + t) * (pattern[t % 4] as number));
  const fit = fitTheta(y, 4);
  assert.ok(fit.season);
  const f = thetaForecastMean(fit, 4);
  assert.ok(
    (f[2] as number) > (f[1] as number) && (f[1] as number) > (f[0] as number) && (f[3] as number) < (f[0] as number),
  );
});

test('Theta takes its seasonal indices from the last cycles when the pattern has changed', () => {
  const old = [0.5, 1.5, 1, 1];
  const recent = [1, 1, 0.5, 1.5];
  // 13 years of the old pattern, then 6 years (one more than SEASON_CYCLES) and a quarter of the new one,
  // so the series does not start on the phase of its last cycles.
  const y = Array.from({ length: 77 }, (_, t) => 100 * ((t < 52 ? old : recent)[t % 4] as number));
  const fit = fitTheta(y, 4);
  assert.ok(fit.season);
  for (let t = 0; t < 4; t++) close(fit.season[t] as number, recent[t] as number, 1e-9);
  const f = thetaForecastMean(fit, 4);
  // The forecast starts at t = 77 (phase 1): 1, 0.5, 1.5, 1 times the level.
  assert.ok((f[2] as number) > (f[0] as number) && (f[0] as number) > (f[1] as number));
});

test('Nelder–Mead finds a bounded minimum', () => {
  const r = nelderMead((x) => ((x[0] as number) - 2) ** 2 + ((x[1] as number) + 1) ** 2, [0, 0], {
    lower: [-5, -5],
    upper: [5, 5],
    tol: 1e-12,
    maxEval: 2000,
  });
  close(r.x[0] as number, 2, 1e-3);
  close(r.x[1] as number, -1, 1e-3);
  const b = nelderMead((x) => ((x[0] as number) - 10) ** 2, [0], { lower: [-1], upper: [1] });
  close(b.x[0] as number, 1, 1e-6);
});

test('quantile by selection equals the sorted (type 7) quantile', () => {
  const rand = seededRandom(3);
  for (const n of [1, 2, 7, 100, 1001]) {
    const xs = Float64Array.from({ length: n }, () => Math.floor(rand() * 50));
    const sorted = Float64Array.from(xs).sort();
    for (const p of [0, 0.025, 0.1, 0.5, 0.9, 0.975, 1])
      close(quantileSelect(Float64Array.from(xs), p), quantileSorted(sorted, p), 1e-12);
  }
});

test('normal and t quantiles', () => {
  close(qnorm(0.975), 1.959963985, 1e-6);
  close(qnorm(0.9), 1.281551566, 1e-6);
  close(qt(0.975, 4), 2.776445, 2e-2);
  close(qt(0.975, 30), 2.042272, 1e-3);
});
