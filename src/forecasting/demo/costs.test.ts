import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_ANOMALIES, DEMO_SERVICES, demoDailyCosts, demoHistoryStart } from './costs.ts';

const END = '2026-11-27';
const rows = demoDailyCosts({ end: END, months: 26, seed: 7 });

/** Total USD per key over the rows that pass `filter`. */
function totals(key: (row: (typeof rows)[number]) => string, filter = (_: (typeof rows)[number]) => true) {
  const out = new Map<string, number>();
  for (const row of rows) if (filter(row)) out.set(key(row), (out.get(key(row)) ?? 0) + row.amountMicros / 1e6);
  return out;
}

const serviceDays = (service: string) =>
  totals(
    (r) => r.date,
    (r) => r.service === service,
  );
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const daysAgo = (date: string) => Math.round((Date.parse(END) - Date.parse(date)) / 86_400_000);

describe('demo daily costs', () => {
  it('covers 25 full months and the partial month ending on the last day', () => {
    assert.equal(demoHistoryStart(END, 26), '2024-10-01');
    assert.equal(demoHistoryStart('2024-03-31', 2), '2024-02-01');
    const dates = [...new Set(rows.map((r) => r.date))];
    assert.equal(dates[0], '2024-10-01');
    assert.equal(dates.at(-1), END);
    assert.equal(dates.length, daysAgo('2024-10-01') + 1, 'no day missing');
    assert.equal(new Set(dates.map((d) => d.slice(0, 7))).size, 26);
  });

  it('holds 8 to 15 services over two accounts and several regions, in positive whole micro-units', () => {
    const services = new Set(rows.map((r) => r.service));
    assert.ok(services.size >= 8 && services.size <= 15, `${services.size} services`);
    assert.equal(new Set(rows.map((r) => r.accountId)).size, 2);
    assert.ok(new Set(rows.map((r) => r.region)).size >= 3);
    for (const row of rows) assert.ok(Number.isSafeInteger(row.amountMicros) && row.amountMicros > 0, row.date);
  });

  it('has plausible monthly totals that grow, with compute and databases the largest services', () => {
    const months = totals((r) => r.date.slice(0, 7));
    const lastFull = months.get('2026-10') ?? 0;
    assert.ok(lastFull > 50_000 && lastFull < 150_000, `last full month ${lastFull}`);
    const yearTotal = (from: string, to: string) =>
      [...months].filter(([m]) => m >= from && m <= to).reduce((a, [, v]) => a + v, 0);
    const growth = yearTotal('2025-11', '2026-10') / yearTotal('2024-11', '2025-10');
    assert.ok(growth > 1.2 && growth < 1.7, `year-over-year growth ${growth}`);
    const ranked = [...totals((r) => r.service)].sort((a, b) => b[1] - a[1]).map(([s]) => s);
    assert.deepEqual(ranked.slice(0, 2), ['Amazon Elastic Compute Cloud', 'Amazon Relational Database Service']);
  });

  it('has weekday peaks for compute, flat storage and a December peak over June', () => {
    const weekdayRatio = (service: string) => {
      const days = [...serviceDays(service)].filter(([d]) => daysAgo(d) > 10 && daysAgo(d) < 180);
      const weekend = (d: string) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
      return (
        mean(days.filter(([d]) => !weekend(d)).map(([, v]) => v)) /
        mean(days.filter(([d]) => weekend(d)).map(([, v]) => v))
      );
    };
    assert.ok(weekdayRatio('Amazon Elastic Compute Cloud') > 1.2);
    assert.ok(Math.abs(weekdayRatio('AWS Backup') - 1) < 0.03);
    const cdn = totals(
      (r) => r.date.slice(0, 7),
      (r) => r.service === 'Amazon CloudFront',
    );
    assert.ok(
      (cdn.get('2025-12') ?? 0) > 1.15 * (cdn.get('2025-06') ?? 0),
      'December above June despite no growth between',
    );
  });

  it('launches a service mid-history', () => {
    const launched = DEMO_SERVICES.filter((s) => s.launchedMonthsAgo !== undefined);
    assert.ok(launched.length > 0);
    for (const { service, launchedMonthsAgo = 0 } of launched) {
      const first = rows.find((r) => r.service === service)?.date ?? '';
      const expected = daysAgo(first) / (365.25 / 12);
      assert.ok(Math.abs(expected - launchedMonthsAgo) < 0.1, `${service} starts ${first}`);
    }
  });

  it('holds each anomaly: its days stand far from the three weeks around them', () => {
    for (const anomaly of DEMO_ANOMALIES) {
      const days = serviceDays(anomaly.service);
      const inside: number[] = [];
      const around: number[] = [];
      for (const [date, value] of days) {
        const ago = daysAgo(date);
        if (ago <= anomaly.fromDaysAgo && ago >= anomaly.toDaysAgo) inside.push(value);
        else if (ago <= anomaly.fromDaysAgo + 21 && ago >= anomaly.toDaysAgo - 21) around.push(value);
      }
      const ratio = mean(inside) / mean(around);
      const expected = anomaly.factor;
      assert.ok(ratio > expected * 0.75 && ratio < expected * 1.3, `${anomaly.service}: ${ratio} for ${expected}`);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    assert.deepEqual(demoDailyCosts({ end: END, months: 26, seed: 7 }), rows);
    assert.notDeepEqual(demoDailyCosts({ end: END, months: 26, seed: 8 }), rows);
  });
});
