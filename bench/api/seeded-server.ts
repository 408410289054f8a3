// Child-process server for bench/api/search-and-uploads.ts: the real app over SQLite with one
// tenant holding argv[2] tickets of generated text (Zipf-distributed words, so terms of every
// frequency exist), written through the same triggers that index them. Sends {port, apiKey,
// terms, ticketIds} when ready; removes its data directory on exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { systemClock } from '../../src/config/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { loadKeyRing } from '../../src/crypto/key-ring.ts';
import { openDatabase } from '../../src/database/connection.ts';
import { migrateToLatest } from '../../src/database/migrations/index.ts';
import { createIdentityService } from '../../src/identity/service.ts';
import { createMemoryLiveFeed } from '../../src/realtime/live-feed.ts';
import { buildApp } from '../../src/server/app.ts';
import { newTicketId } from '../../src/tickets/ids.ts';
import type { TicketsTable } from '../../src/tickets/tables.ts';

const TICKETS = Number(process.argv[2] ?? 100_000);
const VOCABULARY = 5_000;
const dataDir = mkdtempSync(join(tmpdir(), 'securebase-bench-search-'));
const cleanUp = () => rmSync(dataDir, { recursive: true, force: true });
process.on('exit', cleanUp);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

// A deterministic generator (mulberry32), so every run searches the same corpus.
let seed = 20261128;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'do', 'fe', 'gi', 'ho', 'ju'];
const wordOf = (rank: number): string => {
  let word = '';
  let n = rank + 17;
  while (n > 0) {
    word += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  return word;
};
// Zipf (s = 1) over the vocabulary, by inverting its cumulative weights.
const cumulative: number[] = [];
let total = 0;
for (let rank = 1; rank <= VOCABULARY; rank += 1) cumulative.push((total += 1 / rank));
const zipfWord = (): string => {
  const target = random() * total;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cumulative[mid] as number) < target) low = mid + 1;
    else high = mid;
  }
  return wordOf(low);
};
const words = (n: number) => Array.from({ length: n }, zipfWord).join(' ');

const config = loadConfig({
  LOG_LEVEL: 'warn',
  SECUREBASE_DATA_DIR: dataDir,
  RATE_LIMIT_PER_HOUR: 'standard=1000000000,fintech=1000000000,healthcare=1000000000,government=1000000000',
});
const database = openDatabase({ dataDir });
const keyRing = loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir });
await migrateToLatest(database.db, { keyRing: () => keyRing });
const identity = createIdentityService({ db: database.db, clock: systemClock, sessionTtlHours: 24 });
const tenant = await identity.createTenant({
  name: 'Bench Search',
  tier: 'standard',
  adminEmail: 'search@example.com',
});
const customerId = tenant.customer.id;

const started = Date.now();
const ticketIds: string[] = [];
const BATCH = 1_000;
for (let first = 1; first <= TICKETS; first += BATCH) {
  const rows: TicketsTable[] = [];
  for (let number = first; number < first + BATCH && number <= TICKETS; number += 1) {
    const at = new Date(Date.UTC(2026, 0, 1) + number * 60_000);
    const iso = at.toISOString();
    const id = newTicketId(at);
    if (ticketIds.length < 1_000) ticketIds.push(id);
    rows.push({
      id,
      customer_id: customerId,
      number,
      subject: words(5),
      description: words(40),
      priority: (['low', 'medium', 'high', 'critical'] as const)[number % 4] as TicketsTable['priority'],
      category: 'general',
      status: number % 3 === 0 ? 'resolved' : 'open',
      created_by: tenant.user.id,
      assignee_id: null,
      tags: '[]',
      created_at: iso,
      updated_at: iso,
      first_response_at: null,
      resolved_at: null,
      closed_at: null,
      last_activity_at: iso,
      comment_count: 0,
      internal_comment_count: 0,
      sla_first_response_due_at: null,
      sla_resolution_due_at: null,
      sla_status: 'on_track',
      sla_clocks: null,
      follow_up_of: null,
      version: 1,
    });
  }
  await database.db.transaction().execute((trx) => trx.insertInto('tickets').values(rows).execute());
  if (first % 20_000 === 1) process.stderr.write(`  seeding tickets: ${first - 1 + rows.length}/${TICKETS}\r`);
}
await database.db.updateTable('customers').set({ last_ticket_number: TICKETS }).where('id', '=', customerId).execute();
process.stderr.write(`  seeded ${TICKETS} tickets in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

const ctx = {
  config,
  database,
  clock: systemClock,
  logger: pino({ level: 'warn' }),
  keyRing,
  liveFeed: createMemoryLiveFeed(),
  wakeWorkers: () => {},
};
const app = await buildApp(ctx, identity);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
// Search words by how many tickets hold them: the FTS5 vocabulary gives each word's document count.
await sql`create virtual table bench_vocab using fts5vocab(ticket_search, 'row')`.execute(database.db);
const nearest = async (documents: number): Promise<string> => {
  const row = await sql<{
    term: string;
  }>`select term from bench_vocab order by abs(doc - ${documents}) limit 1`.execute(database.db);
  return row.rows[0]?.term ?? 'none';
};
const terms = {
  rare: await nearest(TICKETS * 0.002),
  medium: await nearest(TICKETS * 0.02),
  common: await nearest(TICKETS * 0.25),
  pair: `${await nearest(TICKETS * 0.02 + 7)} ${await nearest(TICKETS * 0.05)}`,
};
process.send?.({
  port: typeof address === 'object' && address ? address.port : 0,
  apiKey: tenant.apiKey.key,
  terms,
  ticketIds,
});
