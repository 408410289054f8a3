import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { forecast, METHODS } from './index.ts';
import { backtest } from './backtest.ts';

const seasonalSeries = (n: number, m: number, noise: (t: number) => number): number[] =>
  Array.from({ length: n }, (_, t) => (100 + 0.8 * t) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / m)) + noise(t));

test('a constant series is forecast flat with zero-width intervals', () => {
  const r = forecast({ values: [7, 7, 7, 7, 7, 7], frequency: 12 }, { horizon: 3 });
  assert.deepEqual(r.mean, [7, 7, 7]);
  assert.deepEqual(r.intervals[0]?.lower, [7, 7, 7]);
});

test('works from a 3-point history (and from 1 point) with wide, valid intervals', () => {
  const r = forecast({ values: [10, 12, 11], frequency: 12 }, { horizon: 4, levels: [80, 95] });
  assert.equal(r.mean.length, 4);
  assert.ok(r.mean.every(Number.isFinite));
  const [b80, b95] = r.intervals;
  assert.ok(b80 && b95);
  assert.ok(b95.upper.every((u, h) => u - (b95.lower[h] as number) > 0));
  const one = forecast({ values: [5], frequency: 1 }, { horizon: 2 });
  assert.deepEqual(one.mean, [5, 5]);
});

test('series with zeros stay non-negative', () => {
  const values = [0, 0, 3, 5, 0, 2, 8, 0, 0, 4, 6, 1, 0, 2, 7, 3];
  for (const method of METHODS) {
    const r = forecast({ values, frequency: 4 }, { horizon: 6, method });
    for (const b of r.intervals)
      assert.ok(
        b.lower.every((v) => v >= 0),
        method,
      );
    assert.ok(
      r.mean.every((v) => v >= 0),
      method,
    );
  }
});

test('a pure seasonal pattern with trend is tracked by the combination', () => {
  const values = seasonalSeries(72, 12, () => 0);
  const r = forecast({ values, frequency: 12 }, { horizon: 12 });
  const truth = seasonalSeries(84, 12, () => 0).slice(72);
  r.mean.forEach((v, h) =>
    assert.ok(Math.abs(v - (truth[h] as number)) / (truth[h] as number) < 0.05, `h=${h}: ${v} vs ${truth[h]}`),
  );
});

test('levels are validated and echoed as given; output is deterministic', () => {
  const values = seasonalSeries(48, 12, (t) => ((t * 7919) % 13) - 6);
  assert.throws(() => forecast({ values, frequency: 12 }, { horizon: 3, levels: [40] }), RangeError);
  assert.throws(() => forecast({ values, frequency: 12 }, { horizon: 0 }), RangeError);
  assert.throws(() => forecast({ values: [1, Number.NaN], frequency: 12 }, { horizon: 1 }), RangeError);
  const a = forecast({ values, frequency: 12 }, { horizon: 6, levels: [65, 0.8, 99] });
  assert.deepEqual(
    a.intervals.map((b) => b.level),
    [65, 0.8, 99],
  );
  const b = forecast({ values, frequency: 12 }, { horizon: 6, levels: [65, 0.8, 99] });
  assert.deepEqual(a, b);
});

test('backtest reports errors, coverage and accuracy_score = 1 − MAPE', () => {
  const values = seasonalSeries(60, 12, (t) => ((t * 7919) % 11) - 5);
  const r = forecast({ values, frequency: 12 }, { horizon: 6, levels: [80, 95], backtest: true });
  assert.ok(r.backtest);
  assert.ok(r.backtest.origins >= 1);
  assert.ok(r.backtest.mape > 0 && r.backtest.mape < 20);
  assert.ok(Math.abs(r.backtest.accuracyScore - (1 - r.backtest.mape / 100)) < 1e-12);
  assert.deepEqual(
    r.backtest.coverage.map((c) => c.level),
    [80, 95],
  );
  const line = backtest(
    Array.from({ length: 30 }, (_, t) => 5 + 2 * t),
    1,
    { horizon: 4, method: 'drift' },
  );
  assert.ok(line && line.mape < 1e-9 && line.accuracyScore === 1);
  assert.equal(backtest([1, 2], 1, { horizon: 3 }), null);
});

const seriesArb = fc.record({
  m: fc.constantFrom(1, 4, 12),
  n: fc.integer({ min: 3, max: 60 }),
  base: fc.double({ min: 0, max: 1000, noNaN: true }),
  noise: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 60, maxLength: 60 }),
  trend: fc.double({ min: -5, max: 5, noNaN: true }),
  h: fc.integer({ min: 1, max: 24 }),
  method: fc.constantFrom(...METHODS),
});

test('property: intervals nest, widen with the horizon, contain no NaN and are non-negative', () => {
  fc.assert(
    fc.property(seriesArb, ({ m, n, base, noise, trend, h, method }) => {
      const values = Array.from({ length: n }, (_, t) =>
        Math.max(0, base + trend * t + base * 0.2 * ((noise[t] as number) - 0.5) * (1 + Math.sin(t))),
      );
      const r = forecast({ values, frequency: m }, { horizon: h, levels: [80, 95], method });
      const [b80, b95] = r.intervals;
      assert.ok(b80 && b95);
      assert.equal(r.mean.length, h);
      for (let i = 0; i < h; i++) {
        const vals = [r.mean[i], b80.lower[i], b80.upper[i], b95.lower[i], b95.upper[i]] as number[];
        assert.ok(vals.every(Number.isFinite), `NaN at ${i}`);
        assert.ok(
          vals.every((v) => v >= 0),
          `negative at ${i}`,
        );
        assert.ok(
          (b95.lower[i] as number) <= (b80.lower[i] as number) + 1e-9 &&
            (b80.upper[i] as number) <= (b95.upper[i] as number) + 1e-9,
          'nesting',
        );
        assert.ok(
          (b80.lower[i] as number) <= (r.mean[i] as number) + 1e-9 &&
            (r.mean[i] as number) <= (b80.upper[i] as number) + 1e-9,
          'mean inside',
        );
      }
      // Widths grow (vs the same season a cycle earlier for seasonal data): relative to the
      // mean when it is positive, else in absolute terms (before the zero floor).
      const allPos = r.mean.every((v) => v > 0);
      const lag = m > 1 && n >= 2 * m ? m : 1;
      for (const b of r.intervals) {
        for (let i = lag; i < h; i++) {
          const f0 = r.mean[i - lag] as number;
          const f1 = r.mean[i] as number;
          const up0 = (b.upper[i - lag] as number) - f0;
          const up1 = (b.upper[i] as number) - f1;
          if (allPos) assert.ok(up1 / f1 >= up0 / f0 - 1e-9, `upper width shrinks at ${i}`);
          else assert.ok(up1 >= up0 - 1e-9 || f1 === 0, `upper width shrinks at ${i}`);
        }
      }
    }),
    { numRuns: 150, seed: 20240601 },
  );
});

test('daily data: weekly seasonality, and 36 months of days → 24-month forecast well under 100 ms', async () => {
  const { aggregateDailyToMonthly, monthLabels } = await import('./index.ts');
  const days: { date: string; amount: number }[] = [];
  const weekly = [1.2, 1.1, 1, 1, 1.05, 0.6, 0.5];
  let y = 2022;
  let mo = 1;
  let d = 1;
  for (let t = 0; t < 3 * 365 + 1; t++) {
    const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    const amount = (100 + t * 0.05) * (weekly[t % 7] as number) * (1 + 0.2 * Math.sin((2 * Math.PI * t) / 365.25));
    days.push({ date: `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`, amount });
    d++;
    if (d > dim) {
      d = 1;
      mo++;
      if (mo > 12) {
        mo = 1;
        y++;
      }
    }
  }
  const daily = forecast({ values: days.map((r) => r.amount), frequency: 7 }, { horizon: 14 });
  // Weekend dip carried forward.
  const lowest = (6 - (days.length % 7) + 7) % 7; // step whose weekday has factor 0.5
  assert.equal(daily.mean.indexOf(Math.min(...daily.mean)) % 7, lowest, daily.model);
  assert.ok(Math.min(...daily.mean) < Math.max(...daily.mean) * 0.6);
  const t0 = performance.now();
  const months = aggregateDailyToMonthly(days).filter((m) => !m.partial);
  const r = forecast({ values: months.map((m) => m.total), frequency: 12 }, { horizon: 24, levels: [65, 80, 95] });
  const labels = monthLabels(months.at(-1)?.month ?? '', 24);
  const ms = performance.now() - t0;
  assert.equal(months.length, 36);
  assert.equal(labels[0], '2025-01');
  assert.equal(r.mean.length, 24);
  assert.ok(ms < 100, `${ms} ms`);
});
