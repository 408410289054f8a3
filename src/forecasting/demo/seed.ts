import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import { dailyCostsByService, writeDailyCosts, type DailyCost } from '../records/store.ts';
import { demoDailyCosts } from './costs.ts';

/** Months of demo history: 25 full months and the current, partial one. */
export const DEMO_COST_MONTHS = 26;
/** Fixed so that every demo shows the same data for the same days. */
const DEMO_COST_SEED = 20_260_101;

/**
 * Writes the demo tenant's generated costs through yesterday (UTC) unless they already reach it,
 * one transaction per month through the one write path (source `demo`), so a run replaces the
 * days a previous one wrote and a later day brings the history up to date. Returns whether it
 * wrote anything.
 */
export async function seedDemoCosts(
  db: Kysely<Database>,
  customerId: string,
  now: Date,
  progress: (message: string) => void,
): Promise<boolean> {
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  if ((await dailyCostsByService(db, customerId, { from: yesterday })).length > 0) return false;
  const rows = demoDailyCosts({ end: yesterday, months: DEMO_COST_MONTHS, seed: DEMO_COST_SEED });
  const months = new Map<string, DailyCost[]>();
  for (const row of rows) {
    const month = row.date.slice(0, 7);
    const list = months.get(month);
    if (list) list.push(row);
    else months.set(month, [row]);
  }
  let done = 0;
  for (const monthRows of months.values()) {
    await db
      .transaction()
      .execute((trx) => writeDailyCosts(trx, { customerId, currency: 'USD', rows: monthRows, source: 'demo', now }));
    done += 1;
    progress(`demo data: ${done}/${months.size} months of costs`);
  }
  return true;
}
