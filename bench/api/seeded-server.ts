// Child-process server for bench/api/search-and-uploads.ts: the real app over SQLite with one
// tenant holding argv[2] tickets of generated text (Zipf-distributed words, so terms of every
// frequency exist), written through the same triggers that index them. Sends {port, apiKey,
// terms, ticketIds} when ready; removes its data directory on exit.
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { buildApp } from '../../src/server/app.ts';
import { benchAppContext, openBenchDatabase, seedTickets } from './seed-tickets.ts';

const TICKETS = Number(process.argv[2] ?? 100_000);
const VOCABULARY = 5_000;
const bench = await openBenchDatabase('securebase-bench-search-');
const { database, identity } = bench;
const cleanUp = () => rmSync(bench.dataDir, { recursive: true, force: true });
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

const tenant = await identity.createTenant({
  name: 'Bench Search',
  tier: 'standard',
  adminEmail: 'search@example.com',
});

const started = Date.now();
const seededIds = await seedTickets(database.db, {
  customerId: tenant.customer.id,
  createdBy: tenant.user.id,
  count: TICKETS,
  openedAt: (number) => new Date(Date.UTC(2026, 0, 1) + number * 60_000),
  text: () => ({ subject: words(5), description: words(40) }),
  priority: (number) => (['low', 'medium', 'high', 'critical'] as const)[number % 4] ?? 'low',
  status: (number) => (number % 3 === 0 ? 'resolved' : 'open'),
  onProgress: (seeded) => process.stderr.write(`  seeding tickets: ${seeded}/${TICKETS}\r`),
});
const ticketIds = seededIds.slice(0, 1_000);
process.stderr.write(`  seeded ${TICKETS} tickets in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

const app = await buildApp(benchAppContext(bench), identity);
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
