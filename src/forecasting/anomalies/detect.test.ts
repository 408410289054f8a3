import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalSampler, seededRandom } from '../engine/stats.ts';
import { detectAnomalies, MIN_HISTORY_DAYS, scoreSeries, TOTAL_SERVICE } from './detect.ts';
import type { CostDay } from './detect.ts';

const START = Date.parse('2026-01-01T00:00:00Z');
const dateAt = (i: number) => new Date(START + i * 86_400_000).toISOString().slice(0, 10);

/** A service's days: weekday/weekend cycle (2026-01-01 is a Thursday), multiplicative noise. */
function service(
  name: string,
  count: number,
  level: number,
  noise: number,
  seed: number,
  edit = (v: number, _i: number) => v,
) {
  const normal = normalSampler(seededRandom(seed));
  return Array.from({ length: count }, (_, i): CostDay => {
    const weekday = new Date(START + i * 86_400_000).getUTCDay();
    const weekly = weekday === 0 || weekday === 6 ? 0.6 : 1.1;
    return { date: dateAt(i), service: name, amount: edit(level * weekly * (1 + noise * normal()), i) };
  });
}

const options = (to: number, from = 0) => ({ from: dateAt(from), to: dateAt(to), currency: 'USD' });

describe('detectAnomalies', () => {
  it('flags a large spike once, on its day, by both rules, in the service and the total', () => {
    const days = [
      ...service('EC2', 120, 100, 0.03, 1, (v, i) => (i === 100 ? v * 3.5 : v)),
      ...service('S3', 120, 40, 0.03, 2),
    ];
    // Ordinary noise may flag a stray day elsewhere (the false-alarm rate is measured below).
    const found = detectAnomalies(days, options(119)).filter((a) => a.date >= dateAt(95) && a.date <= dateAt(105));
    assert.deepEqual(
      found.map((a) => [a.date, a.service, a.rule, a.direction]),
      [
        [dateAt(100), TOTAL_SERVICE, 'both', 'spike'],
        [dateAt(100), 'EC2', 'both', 'spike'],
      ],
    );
    const ec2 = found.find((a) => a.service === 'EC2');
    assert.ok(ec2 && ec2.score > 10);
    assert.ok(Math.abs(ec2.impact - (ec2.actual - ec2.expected)) < 1e-9);
    // Day 100 (2026-04-11) is a Saturday: the weekday-aware baseline expects the weekend level, 100 × 0.6.
    assert.ok(ec2.expected > 55 && ec2.expected < 65, `expected ${ec2.expected}`);
    assert.match(
      ec2.reason,
      /^EC2 cost \d+\.\d\d USD vs expected \d+\.\d\d \(\+\d+ %\), \d+\.\d robust deviations above, above 150 % of the prior 7-day average \(\d+\.\d\d\)$/,
    );
  });

  it('flags a drop by the residual rule only (the old rule sees spikes only)', () => {
    const days = service('RDS', 120, 200, 0.03, 3, (v, i) => (i === 90 ? v * 0.2 : v));
    const found = detectAnomalies(days, options(119)).filter((a) => a.service === 'RDS');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.direction, 'drop');
    assert.equal(found[0]?.rule, 'residual_mad');
    assert.ok((found[0]?.impact ?? 0) < 0 && (found[0]?.score ?? 0) < -4);
    assert.match(found[0]?.reason ?? '', /\(−\d+ %\), \d+\.\d robust deviations below$/);
  });

  it('keeps quiet on a weekly cycle with ordinary noise: under 0.2 % of days flagged over 40 series-years', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 20; seed += 1) {
      const days = [...service('EC2', 365, 100, 0.05, seed), ...service('S3', 365, 30, 0.05, 100 + seed)];
      flagged += detectAnomalies(days, options(364)).filter((a) => a.service !== TOTAL_SERVICE).length;
    }
    assert.ok(flagged / (40 * 365) < 0.002, `${flagged} false alarms`);
  });

  it('the old rule alone catches a +60 % day on a very noisy series the robust score finds ordinary', () => {
    const rand = seededRandom(6);
    const days = Array.from({ length: 80 }, (_, i): CostDay => ({
      date: dateAt(i),
      service: 'Lambda',
      amount: i === 70 ? 200 : 60 + 80 * rand(),
    }));
    const found = detectAnomalies(days, options(79)).filter((a) => a.date === dateAt(70) && a.service === 'Lambda');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.rule, 'prior_week_150');
    assert.ok(Math.abs(found[0]?.score ?? 99) <= 4);
    assert.match(found[0]?.reason ?? '', /above 150 % of the prior 7-day average/);
  });

  it('ignores a tiny service however wild, below the minimum impact (1 unit and 2 % of a typical day)', () => {
    const days = [
      ...service('EC2', 100, 1000, 0.01, 7),
      // 0.50 → 15: thirty-fold, yet 14.5 is under 2 % of a ~900 day.
      ...service('SNS', 100, 0.5, 0.01, 8, (v, i) => (i === 80 ? 15 : v)),
    ];
    assert.deepEqual(
      detectAnomalies(days, options(99)).filter((a) => a.service === 'SNS'),
      [],
    );
    const alone = service('SNS', 100, 0.5, 0.01, 8, (v, i) => (i === 80 ? 15 : v));
    assert.equal(detectAnomalies(alone, options(99)).filter((a) => a.service === 'SNS').length, 1);
  });

  it('flags nothing in the first 28 days of a series, and a new service is judged on its own history', () => {
    const days = service('EC2', 60, 100, 0.02, 9, (v, i) => (i === MIN_HISTORY_DAYS - 1 ? v * 5 : v));
    assert.deepEqual(detectAnomalies(days, options(59)), []);
    const late = [
      ...service('EC2', 60, 100, 0.02, 10),
      ...service('GPU', 20, 500, 0.02, 11).map((d, i) => ({ ...d, date: dateAt(40 + i) })),
    ];
    // The total jumps when GPU starts; GPU itself has too little history to be judged.
    assert.ok(detectAnomalies(late, options(59)).every((a) => a.service !== 'GPU'));
  });

  it('reports only days in [from, to]: history before, and the partial day after, are not flagged', () => {
    const days = service('EC2', 100, 100, 0.02, 12, (v, i) => (i === 60 || i === 99 ? v * 4 : v));
    const found = detectAnomalies(days, options(98, 61));
    assert.deepEqual(found, []);
    assert.deepEqual(
      detectAnomalies(days, options(98, 60)).map((a) => a.date),
      [dateAt(60), dateAt(60)],
    );
  });

  it('counts a missing day as zero once the series has started (a stopped service is a drop)', () => {
    const days = service('EC2', 100, 100, 0.02, 13).filter((d) => d.date !== dateAt(95));
    const found = detectAnomalies(days, options(99)).filter((a) => a.service === 'EC2');
    assert.deepEqual(
      found.map((a) => [a.date, a.direction, a.actual]),
      [[dateAt(95), 'drop', 0]],
    );
  });

  it('is deterministic and never flags a day against its own future (appending days keeps earlier results)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 40, max: 90 }), (seed, cut) => {
        const rand = seededRandom(seed);
        const days = service('X', 120, 50, 0.1, seed, (v) => (rand() < 0.05 ? v * (0.2 + 4 * rand()) : v));
        const short = detectAnomalies(days, options(cut));
        const long = detectAnomalies(days, options(119)).filter((a) => a.date <= dateAt(cut));
        assert.deepEqual(short, long);
      }),
      { numRuns: 40 },
    );
  });

  it('every flagged day satisfies one of the rules and the minimum impact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const rand = seededRandom(seed);
        const days = service('X', 90, 20, 0.2, seed, (v) => (rand() < 0.1 ? v * 3 * rand() : v));
        for (const a of detectAnomalies(days, options(89))) {
          assert.ok(Math.abs(a.impact) >= 1 - 1e-9);
          assert.ok(Math.abs(a.score) > 4 || a.rule === 'prior_week_150');
          assert.equal(a.direction, a.impact >= 0 ? 'spike' : 'drop');
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('scoreSeries', () => {
  it('has no score before 28 days, and a flat series scores a change against 2 % of its level', () => {
    const flat = Array.from({ length: 40 }, (_, i) => (i === 30 ? 110 : 100));
    const scored = scoreSeries(flat);
    assert.ok(scored.slice(0, MIN_HISTORY_DAYS).every((s) => Number.isNaN(s.score)));
    assert.equal(scored[30]?.expected, 100);
    assert.equal(scored[30]?.score, 5);
    assert.equal(scored[30]?.priorWeekMean, 100);
  });
});
