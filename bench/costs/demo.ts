/**
 * Cost part of `securebase demo`: `node --import tsx bench/costs/demo.ts`. Times the generation of
 * the demo tenant's daily costs and their write through `seedDemoCosts` (writeDailyCosts, one
 * transaction per month) on a fresh SQLite database (and PostgreSQL when TEST_DATABASE_URL is set),
 * beside a raw better-sqlite3 upsert of the same rows into a table of the same shape, with the same
 * durability (WAL, synchronous=FULL) and the same transactions, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { DEMO_COST_MONTHS, seedDemoCosts } from '../../src/forecasting/demo/seed.ts';
import { demoDailyCosts } from '../../src/forecasting/demo/costs.ts';
import { TEST_DIALECTS, createTestDatabase } from '../../src/testing/database.ts';

const now = new Date();
const end = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);

let t0 = performance.now();
const rows = demoDailyCosts({ end, months: DEMO_COST_MONTHS, seed: 1 });
console.log(`generate ${rows.length} rows (${DEMO_COST_MONTHS} months): ${seconds(t0)} s`);

for (const dialect of TEST_DIALECTS) {
  const database = await createTestDatabase(dialect);
  try {
    t0 = performance.now();
    await seedDemoCosts(database.db, 'bench-demo', now, () => {});
    console.log(`seedDemoCosts on ${dialect} (generation included): ${seconds(t0)} s`);
  } finally {
    await database.destroy();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-demo-raw-'));
try {
  const raw = new Sqlite(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec(`create table cost_records (customer_id text not null, date text not null, service text not null,
    account_id text not null, region text not null, tags text not null, amount_micros integer not null,
    currency text not null, source text not null, updated_at text not null,
    primary key (customer_id, date, service, account_id, region))`);
  const insert = raw.prepare(`insert into cost_records values (?, ?, ?, ?, ?, ?, ?, 'USD', 'demo', ?)
    on conflict do update set amount_micros = excluded.amount_micros, tags = excluded.tags,
    source = excluded.source, updated_at = excluded.updated_at`);
  const at = now.toISOString();
  const month = raw.transaction((chunk: typeof rows) => {
    for (const r of chunk)
      insert.run('bench-demo', r.date, r.service, r.accountId, r.region, JSON.stringify(r.tags), r.amountMicros, at);
  });
  t0 = performance.now();
  const months = [...new Set(rows.map((r) => r.date.slice(0, 7)))];
  for (const m of months) month(rows.filter((r) => r.date.startsWith(m)));
  console.log(`baseline: raw better-sqlite3 upsert of the same rows, one transaction per month: ${seconds(t0)} s`);
  raw.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
