// Child-process servers for the API benchmark, so load generation and serving do not share a thread.
// argv[2] selects: `app` (the real app over SQLite, seeded tenant), `bare` (a bare Fastify route),
// `raw` (Fastify + better-sqlite3 insert/list with no auth or validation).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { pino } from 'pino';
import { systemClock } from '../../src/config/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { loadKeyRing } from '../../src/crypto/key-ring.ts';
import { createMemoryLiveFeed } from '../../src/realtime/live-feed.ts';
import { openDatabase } from '../../src/database/connection.ts';
import { migrateToLatest } from '../../src/database/migrations/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { createIdentityService } from '../../src/identity/service.ts';
import { coalescedWake, createWorker } from '../../src/server/worker.ts';

const kind = process.argv[2];
const dataDir = mkdtempSync(join(tmpdir(), 'securebase-bench-'));

async function ready(app: ReturnType<typeof Fastify>, extra: Record<string, string> = {}) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ port, ...extra });
}

if (kind === 'bare') {
  const app = Fastify();
  app.get('/', async () => ({ ok: true }));
  await ready(app);
} else if (kind === 'raw') {
  const db = new SQLite(join(dataDir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  // NORMAL (the old setting) or FULL (ours): the bench shows what durability on power loss costs.
  db.pragma(`synchronous = ${process.argv[3] === 'FULL' ? 'FULL' : 'NORMAL'}`);
  db.exec('create table t (id integer primary key, customer_id text, subject text, description text, created_at text)');
  db.exec('create index t_idx on t (customer_id, created_at, id)');
  const insert = db.prepare(
    'insert into t (customer_id, subject, description, created_at) values (?, ?, ?, ?) returning *',
  );
  const list = db.prepare('select * from t where customer_id = ? order by created_at desc, id desc limit 50');
  const app = Fastify();
  app.post('/t', async (request) => {
    const body = request.body as { subject: string; description: string };
    return insert.get('c1', body.subject, body.description, new Date().toISOString());
  });
  app.get('/t', async () => list.all('c1'));
  await ready(app);
} else {
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    SECUREBASE_DATA_DIR: dataDir,
    RATE_LIMIT_PER_HOUR: 'standard=1000000000,fintech=1000000000,healthcare=1000000000,government=1000000000',
  });
  const database = openDatabase({ dataDir });
  const keyRing = loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir });
  await migrateToLatest(database.db, { keyRing: () => keyRing });
  const ctx = {
    config,
    database,
    clock: systemClock,
    logger: pino({ level: 'warn' }),
    keyRing,
    liveFeed: createMemoryLiveFeed(),
    wakeWorkers: () => {},
  };
  const worker = createWorker(ctx);
  ctx.wakeWorkers = coalescedWake(worker);
  await worker.start();
  const app = await buildApp(ctx);
  const identity = createIdentityService({ db: database.db, clock: systemClock, sessionTtlHours: 24 });
  const tenant = await identity.createTenant({ name: 'Bench Corp', tier: 'standard', adminEmail: 'bench@example.com' });
  await ready(app, { apiKey: tenant.apiKey.key });
}
process.on('SIGINT', () => process.exit(0));
