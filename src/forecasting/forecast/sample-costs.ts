/**
 * Realistic daily costs for tests and the bench: per service a level, a monthly growth, a weekly
 * cycle (weekends cheaper) and seeded noise, in integer micro-units. Deterministic for a seed.
 * `costHistoryOf` turns daily rows into the forecast's input without a database.
 */
import { seededRandom } from '../engine/stats.ts';
import type { DailyCost, ServiceDay } from '../records/store.ts';
import { lastCompleteDay, nowcastWindowStart, type CostHistory, type ServiceMonth } from './compute.ts';

/** Daily rows of `services` services from `from` to `to` (inclusive, YYYY-MM-DD). */
export function sampleDailyCosts(options: {
  from: string;
  to: string;
  services: number;
  seed?: number;
  /** Monthly growth of every service, e.g. 0.02. */
  growth?: number;
}): DailyCost[] {
  const next = seededRandom(options.seed ?? 1);
  const growth = options.growth ?? 0.02;
  const start = Date.parse(`${options.from}T00:00:00Z`);
  const end = Date.parse(`${options.to}T00:00:00Z`);
  const rows: DailyCost[] = [];
  const levels = Array.from({ length: options.services }, (_, i) => 40 + 400 / (i + 1));
  for (let t = start, day = 0; t <= end; t += 86_400_000, day += 1) {
    const date = new Date(t).toISOString().slice(0, 10);
    const weekday = new Date(t).getUTCDay();
    const weekly = weekday === 0 || weekday === 6 ? 0.7 : 1.08;
    levels.forEach((level, i) => {
      const amount = level * (1 + growth) ** (day / 30.4) * weekly * (0.92 + 0.16 * next());
      rows.push({
        date,
        service: `Service ${String(i + 1).padStart(2, '0')}`,
        accountId: '',
        region: '',
        tags: {},
        amountMicros: Math.round(amount * 1_000_000),
      });
    });
  }
  return rows;
}

/** What the forecast's repository reads from such rows (see `CostHistory`), as of `today`. */
export function costHistoryOf(rows: readonly ServiceDay[], today: string): CostHistory {
  const through = lastCompleteDay(today);
  const kept = rows.filter((row) => row.date <= through);
  const dates = kept.map((row) => row.date).sort();
  const first = dates[0] ?? null;
  const last = dates.at(-1) ?? null;
  const monthly = new Map<string, ServiceMonth>();
  for (const row of kept) {
    const key = `${row.date.slice(0, 7)} ${row.service}`;
    const entry = monthly.get(key) ?? { month: row.date.slice(0, 7), service: row.service, amountMicros: 0 };
    entry.amountMicros += row.amountMicros;
    monthly.set(key, entry);
  }
  return {
    firstDate: first,
    lastDate: last,
    monthly: [...monthly.values()],
    recentDays: last ? kept.filter((row) => row.date >= nowcastWindowStart(last)) : [],
  };
}
