/** Test helpers: cost data written through the one write path, and generated daily series. */
import type { TestServer } from '../../testing/server.ts';
import { parseDecimal, toMicros } from '../money.ts';
import { writeDailyCosts } from '../records/store.ts';

/** A day's cost of one service, in currency units as decimal text or a number. */
export interface TestCost {
  date: string;
  service: string;
  amount: number | string;
}

/** Writes cost records for a tenant through `writeDailyCosts` (enqueues `forecasting.data_changed`). */
export async function writeCosts(server: TestServer, customerId: string, costs: readonly TestCost[], currency = 'USD') {
  const rows = costs.map((c) => {
    const amount = parseDecimal(c.amount);
    if (!amount) throw new Error(`not an amount: ${c.amount}`);
    return { date: c.date, service: c.service, accountId: '', region: '', tags: {}, amountMicros: toMicros(amount) };
  });
  const result = await server.ctx.database.db
    .transaction()
    .execute((trx) => writeDailyCosts(trx, { customerId, currency, rows, source: 'api', now: server.ctx.clock() }));
  server.ctx.wakeWorkers();
  return result;
}

/** Every day from `from` to `to` (inclusive, YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
