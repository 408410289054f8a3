// Child-process servers for the API benchmark, so load generation and serving do not share a thread.
// argv[2] selects: `app` (the real app over SQLite, seeded tenant), `bare` (a bare Fastify route),
// `raw` (Fastify + better-sqlite3 insert/list with no auth or validation).
// With BENCH_PROFILE_DIR set, the server answers IPC messages {profile: 'start'} and
// {profile: 'stop', name} by profiling its own CPU (node:inspector) and writing DIR/name.cpuprofile,
// so each load phase gets a profile of its own.
// The app server also answers {drain: true} (see below).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { setTimeout } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { coalescedWake, createWorker } from '../../src/server/worker.ts';
import { benchAppContext, openBenchDatabase } from './seed-tickets.ts';

const kind = process.argv[2];

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
  const db = new SQLite(join(mkdtempSync(join(tmpdir(), 'securebase-bench-')), 'raw.db'));
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
  const bench = await openBenchDatabase('securebase-bench-');
  const ctx = benchAppContext(bench);
  const worker = createWorker(ctx);
  ctx.wakeWorkers = coalescedWake(worker);
  await worker.start();
  const app = await buildApp(ctx);
  const tenant = await bench.identity.createTenant({
    name: 'Bench Corp',
    tier: 'standard',
    adminEmail: 'bench@example.com',
  });
  // {drain: true}: answers {drained} once no job is due (the in-process worker has done the work
  // the last phase left), so the next phase is measured on its own.
  process.on('message', (message: { drain?: boolean }) => {
    if (!message.drain) return;
    const due = async () =>
      (
        await bench.database.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '!=', 'dead')
          .where('run_at', '<=', new Date().toISOString())
          .executeTakeFirstOrThrow()
      ).n;
    void (async () => {
      while (Number(await due()) > 0) await setTimeout(50);
      process.send?.({ drained: true });
    })();
  });
  await ready(app, { apiKey: tenant.apiKey.key });
}
process.on('SIGINT', () => process.exit(0));

const profileDir = process.env.BENCH_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  process.on('message', (message: { profile?: 'start' | 'stop'; name?: string }) => {
    if (message.profile === 'start') {
      void session.post('Profiler.start').then(() => process.send?.({ profiling: true }));
    } else if (message.profile === 'stop') {
      void session.post('Profiler.stop').then(({ profile }) => {
        writeFileSync(join(profileDir, `${message.name ?? 'profile'}.cpuprofile`), JSON.stringify(profile));
        process.send?.({ profiled: message.name });
      });
    }
  });
}
