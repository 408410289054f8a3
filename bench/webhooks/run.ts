// Webhook delivery benchmark (npm run bench:webhooks): events produced through the real outbox
// (emitEvent, one transaction each) fan out to N endpoints on a loopback receiver process and are
// delivered by 1 or 2 real worker processes, every attempt logged. Prints sustained deliveries/s,
// commit→receipt p50/p99 at half that rate, the same with 10 % of endpoints timing out (healthy
// endpoints' p99 apart), beside a raw undici POST loop to the same receiver (the ceiling), each with
// its CPU per 1,000 deliveries: the workers', every PostgreSQL process's (other clients of a shared
// server count there too) and the workers' backends' alone. Every phase has its own tenant and
// receiver paths and ends only when the queue is drained, so no phase counts or pays for another's
// work.
// SQLite always; PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set. A few minutes at most.
// BENCH_PROF=1: workers write CPU profiles to /tmp/wh/prof (summary: bench/cpu-profile-summary.ts).
// BENCH_SQL=1 (PostgreSQL): workers count their statements; prints SQL round trips per delivery.
// BENCH_ONLY=sqlite|postgres: one dialect's scenarios.
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Pool } from 'undici';
import { emitEvent } from '../../src/events/outbox.ts';
import { DISPATCH_JOB } from '../../src/events/outbox.ts';
import type { DialectName } from '../../src/database/adapter.ts';
import { newEndpointId } from '../../src/webhooks/ids.ts';
import { DELIVER_JOB } from '../../src/webhooks/delivery-job.ts';
import { loadKeyRing } from '../../src/crypto/key-ring.ts';
import { createTestDatabase } from '../../src/testing/database.ts';
import type { TestDatabase } from '../../src/testing/database.ts';
import { newSealedSecret } from '../../src/webhooks/secrets.ts';
import { cpuGrowth, postgresCpuMicros, processCpuMicros, tcpPortsTo } from '../process-cpu.ts';

const ENDPOINTS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (pgUrl && !process.env.TEST_DATABASE_URL) process.env.TEST_DATABASE_URL = pgUrl;

interface Receipts {
  latencies: number[];
  first: number;
  last: number;
}

const receiver = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
/** What the receiver got for `phase` since the last report of that phase. */
const report = (phase: string) =>
  new Promise<Receipts>((resolve) => {
    receiver.once('message', (m: Receipts) => resolve(m));
    receiver.send(phase);
  });

/** CPU milliseconds per 1,000 units of work, from microseconds spent. */
const cpuPerThousand = (micros: number, units: number) => (units > 0 ? micros / units : NaN).toFixed(0);
const workersCpu = (children: ChildProcess[]) =>
  children.reduce((sum, child) => sum + (child.pid === undefined ? 0 : processCpuMicros(child.pid)), 0);

const pct = (sorted: number[], q: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) : NaN;
const row = (...cells: (string | number)[]) => console.log(cells.map(String).join(' | '));

/** The ceiling: a raw undici POST loop, 64 in flight, to the same receiver. */
async function ceiling(): Promise<void> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64 });
  const cpuBefore = process.cpuUsage();
  const end = Date.now() + 3_000;
  let n = 0;
  const lat: number[] = [];
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < end) {
        const t = Date.now();
        const res = await pool.request({
          method: 'POST',
          path: '/ceiling/ok/raw',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'evt_x', type: 'bench', data: { t } }),
        });
        await res.body.dump();
        lat.push(Date.now() - t);
        n += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  await report('ceiling');
  lat.sort((a, b) => a - b);
  row(
    'raw undici POST loop (ceiling)',
    '-',
    '-',
    Math.round(n / 3),
    pct(lat, 0.5),
    pct(lat, 0.99),
    cpuPerThousand(cpu.user + cpu.system, n),
    '-',
    '-',
    '-',
  );
}

const countSql = fileURLToPath(new URL('./count-sql.ts', import.meta.url));

function startWorkers(db: TestDatabase, count: number): Promise<ChildProcess[]> {
  const fixture = fileURLToPath(new URL('../../src/webhooks/testing/worker-process.ts', import.meta.url));
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<ChildProcess>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [
              ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/wh/prof'] : []),
              '--import',
              'tsx',
              ...(process.env.BENCH_SQL && db.dialect === 'postgres' ? ['--import', countSql] : []),
              fixture,
            ],
            {
              env: {
                ...process.env,
                ...db.env,
                LOG_LEVEL: 'error',
                WORKER_ID: `bench-${i}`,
                WORKER_CONCURRENCY: '256',
                WEBHOOK_ALLOW_HTTP: 'true',
                WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
                WEBHOOK_TIMEOUT_MS: '1000',
              },
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          );
          child.stdout?.on('data', (c: Buffer) => c.toString().includes('READY') && resolve(child));
          child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
        }),
    ),
  );
}

/** A tenant with N endpoints subscribed to everything at /<phase>/…; `hang` of them never answer. */
async function tenant(db: TestDatabase, phase: string, hang: number): Promise<string> {
  const customerId = crypto.randomUUID();
  const now = new Date();
  const iso = now.toISOString();
  await db.db
    .insertInto('customers')
    .values({
      id: customerId,
      name: `bench ${customerId}`,
      tier: 'standard',
      status: 'active',
      last_ticket_number: 0,
      created_at: iso,
      updated_at: iso,
    })
    .execute();
  const keyRing = loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir: db.env.SECUREBASE_DATA_DIR });
  for (let i = 0; i < ENDPOINTS; i += 1) {
    const id = newEndpointId(new Date());
    const path = i < hang ? `/${phase}/hang/${i}` : `/${phase}/ok/${i}`;
    await db.db
      .insertInto('webhook_endpoints')
      .values({
        id,
        customer_id: customerId,
        url: `http://127.0.0.1:${port}${path}`,
        description: 'bench',
        events: '["*"]',
        status: 'enabled',
        custom_headers: '{}',
        rate_limit_per_second: null,
        retry_schedule: null,
        secrets: JSON.stringify([newSealedSecret(keyRing, id, now).stored]),
        created_at: iso,
        updated_at: iso,
        last_delivery_at: null,
        delivery_success_count: 0,
        delivery_failure_count: 0,
        consecutive_failures: 0,
        failing_since: null,
        circuit_open_until: null,
        rate_tat: null,
        disabled_at: null,
        disabled_reason: null,
      })
      .execute();
  }
  await sleep(5);
  return customerId;
}

/** Emits events at `eventsPerSecond` for `seconds`, one transaction each; returns how many. */
async function produce(
  db: TestDatabase,
  customerId: string,
  eventsPerSecond: number,
  seconds: number,
): Promise<number> {
  const start = Date.now();
  let sent = 0;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * eventsPerSecond);
    for (; sent < due; sent += 1) {
      await db.db.transaction().execute((trx) =>
        emitEvent(
          trx,
          {
            type: 'usage.threshold_exceeded',
            customerId,
            data: { metric: 'bench', usage: sent, threshold: 0, t: Date.now() },
          },
          new Date(),
        ),
      );
    }
    await sleep(2);
  }
  return sent;
}

/**
 * CPU so far of each PostgreSQL backend serving a worker's connection, by backend pid: the
 * database's share of the deliveries even while other clients use the same server.
 */
async function workerBackendsCpu(db: TestDatabase, children: ChildProcess[]): Promise<Map<number, number>> {
  const serverPort = Number(new URL(pgUrl ?? 'postgres://localhost').port || 5432);
  const ports = children.flatMap((child) => (child.pid === undefined ? [] : tcpPortsTo(child.pid, serverPort)));
  if (ports.length === 0) return new Map();
  const { rows } = await sql<{
    pid: number;
  }>`select pid from pg_stat_activity where client_port = any(${ports})`.execute(db.db);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, processCpuMicros(pid));
    } catch {
      // the connection closed meanwhile
    }
  }
  return cpu;
}

/** Work still queued: unfinished jobs and the tenant's messages not final yet (pending). */
interface Backlog {
  dispatchJobs: number;
  deliverJobs: number;
  pendingHealthy: number;
  pendingHanging: number;
}

async function backlog(db: TestDatabase, customerId: string): Promise<Backlog> {
  const jobs = await db.db
    .selectFrom('jobs')
    .select(['name', (eb) => eb.fn.countAll().as('n')])
    .where('status', 'in', ['pending', 'running'])
    .where('name', 'in', [DISPATCH_JOB, DELIVER_JOB])
    .groupBy('name')
    .execute();
  const messages = await db.db
    .selectFrom('webhook_messages')
    .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_messages.endpoint_id')
    .select([sql<boolean>`webhook_endpoints.url like '%/hang/%'`.as('hanging'), (eb) => eb.fn.countAll().as('n')])
    .where('webhook_endpoints.customer_id', '=', customerId)
    .where('webhook_messages.status', '=', 'pending')
    .groupBy(sql`webhook_endpoints.url like '%/hang/%'`)
    .execute();
  const jobCount = (name: string) => Number(jobs.find((j) => j.name === name)?.n ?? 0);
  const pending = (hanging: boolean) => Number(messages.find((m) => Boolean(m.hanging) === hanging)?.n ?? 0);
  return {
    dispatchJobs: jobCount(DISPATCH_JOB),
    deliverJobs: jobCount(DELIVER_JOB),
    pendingHealthy: pending(false),
    pendingHanging: pending(true),
  };
}

/**
 * Drained: every event fanned out, every healthy message final, and no delivery job left but the
 * retries of endpoints that never answer (they wait for hours by the retry schedule).
 */
const drained = (b: Backlog) =>
  b.dispatchJobs === 0 && b.pendingHealthy === 0 && (b.pendingHanging > 0 || b.deliverJobs === 0);

/** Statement counts of the workers so far (BENCH_SQL), by statement shape. */
function sqlTotals(children: ChildProcess[]): Map<string, { calls: number; ms: number }> {
  const totals = new Map<string, { calls: number; ms: number }>();
  for (const child of children) {
    let counts: Record<string, { calls: number; ms: number }> = {};
    try {
      counts = JSON.parse(readFileSync(`/tmp/wh/sql/${child.pid}.json`, 'utf8')) as typeof counts;
    } catch {
      continue; // not written yet
    }
    for (const [shape, c] of Object.entries(counts)) {
      const entry = totals.get(shape) ?? { calls: 0, ms: 0 };
      totals.set(shape, { calls: entry.calls + c.calls, ms: entry.ms + c.ms });
    }
  }
  return totals;
}

function printSql(
  before: Map<string, { calls: number; ms: number }>,
  after: Map<string, { calls: number; ms: number }>,
  deliveries: number,
): void {
  const delta = [...after].map(([shape, c]) => {
    const b = before.get(shape) ?? { calls: 0, ms: 0 };
    return { shape, calls: c.calls - b.calls, ms: c.ms - b.ms };
  });
  const calls = delta.reduce((sum, d) => sum + d.calls, 0);
  console.log(
    `   SQL round trips per delivery: ${(calls / deliveries).toFixed(2)}; per 1,000 deliveries by statement:`,
  );
  for (const d of delta.sort((a, b) => b.calls - a.calls).slice(0, 14)) {
    if (d.calls === 0) continue;
    const perThousand = ((d.calls / deliveries) * 1000).toFixed(0).padStart(6);
    console.log(`   ${perThousand}  ${(d.ms / d.calls).toFixed(1).padStart(6)} ms  ${d.shape.slice(0, 150)}`);
  }
}

interface PhaseResult {
  receipts: Receipts;
  latencies: number[];
  events: number;
  workerMicros: number;
  /** Every PostgreSQL process on the machine (other clients' too). */
  postgresMicros: number;
  /** The backends of the workers' connections only. */
  backendMicros: number;
}

/**
 * One phase on its own tenant: produce, then wait until the queue is drained (verified by the
 * database, not by counting receipts) or `drainMs` passes; the phase's receipts and CPU only.
 */
async function phase(
  db: TestDatabase,
  children: ChildProcess[],
  name: string,
  hang: number,
  eventsPerSecond: number,
  drainMs: number,
): Promise<PhaseResult> {
  const customer = await tenant(db, name, hang);
  // (`name` is unique in the run: a phase of an earlier scenario may still be delivering.)
  const onPostgres = db.dialect === 'postgres';
  const cpuBefore = workersCpu(children);
  const pgBefore = onPostgres ? postgresCpuMicros() : new Map<number, number>();
  const backendsBefore = onPostgres ? await workerBackendsCpu(db, children) : new Map<number, number>();
  const sqlBefore = sqlTotals(children);
  const events = await produce(db, customer, eventsPerSecond, SECONDS);
  const deadline = Date.now() + drainMs;
  let left = await backlog(db, customer);
  while (!drained(left) && Date.now() < deadline) {
    await sleep(250);
    left = await backlog(db, customer);
  }
  const workerMicros = workersCpu(children) - cpuBefore;
  const postgresMicros = onPostgres ? cpuGrowth(pgBefore, postgresCpuMicros()) : NaN;
  const backendMicros = onPostgres ? cpuGrowth(backendsBefore, await workerBackendsCpu(db, children)) : NaN;
  if (!drained(left)) console.log(`   DRAIN TIMED OUT after ${drainMs / 1000} s; left: ${JSON.stringify(left)}`);
  else if (left.pendingHanging > 0)
    console.log(`   drained; left only the ${left.pendingHanging} messages of never-answering endpoints, retrying`);
  const receipts = await report(name);
  if (process.env.BENCH_SQL && onPostgres) {
    await sleep(300);
    printSql(sqlBefore, sqlTotals(children), receipts.latencies.length);
  }
  return {
    receipts,
    latencies: [...receipts.latencies].sort((a, b) => a - b),
    events,
    workerMicros,
    postgresMicros,
    backendMicros,
  };
}

async function scenario(dialect: DialectName, workers: number): Promise<void> {
  const db = await createTestDatabase(dialect);
  const children = await startWorkers(db, workers);
  const label = `${dialect}, ${workers}w`;
  const cpuCells = (p: PhaseResult) => [
    cpuPerThousand(p.workerMicros, p.latencies.length),
    dialect === 'postgres' ? cpuPerThousand(p.postgresMicros, p.latencies.length) : '-',
    dialect === 'postgres' ? cpuPerThousand(p.backendMicros, p.latencies.length) : '-',
  ];
  try {
    // 1. Sustained throughput: offer 10,000 deliveries/s (200 events/s × 50 endpoints).
    const started = Date.now();
    const sustained = await phase(db, children, `${dialect}-${workers}w-sustained`, 0, 200, 120_000);
    const rate = Math.round(sustained.latencies.length / ((sustained.receipts.last - started) / 1000));
    row(
      `${dialect}, ${workers} worker${workers > 1 ? 's' : ''}: offered 10,000/s`,
      workers,
      `${sustained.latencies.length}/${sustained.events * ENDPOINTS}`,
      rate,
      pct(sustained.latencies, 0.5),
      pct(sustained.latencies, 0.99),
      ...cpuCells(sustained),
      '-',
    );

    // 2. Latency at half the sustained rate (at most 2,500/s as in the aim).
    const half = Math.min(2_500, Math.round(rate / 2));
    const quiet = await phase(db, children, `${dialect}-${workers}w-quiet`, 0, half / ENDPOINTS, 60_000);
    row(
      `${label}: quiet at ${half}/s`,
      workers,
      `${quiet.latencies.length}/${quiet.events * ENDPOINTS}`,
      Math.round(quiet.latencies.length / SECONDS),
      pct(quiet.latencies, 0.5),
      pct(quiet.latencies, 0.99),
      ...cpuCells(quiet),
      '-',
    );

    // 3. The same rate with 10 % of the endpoints never answering (1 s attempt timeout).
    const noisy = await phase(db, children, `${dialect}-${workers}w-noisy`, ENDPOINTS / 10, half / ENDPOINTS, 60_000);
    const healthyExpected = noisy.events * (ENDPOINTS - ENDPOINTS / 10);
    const ratio = pct(noisy.latencies, 0.99) / pct(quiet.latencies, 0.99);
    row(
      `${label}: 10 % endpoints time out`,
      workers,
      `${noisy.latencies.length}/${healthyExpected} healthy`,
      Math.round(noisy.latencies.length / SECONDS),
      pct(noisy.latencies, 0.5),
      pct(noisy.latencies, 0.99),
      ...cpuCells(noisy),
      `healthy p99 ${pct(noisy.latencies, 0.99)} ms = ${ratio.toFixed(2)}× quiet`,
    );
    const logged = await db.db
      .selectFrom('webhook_attempts')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    console.log(`   (${Number(logged.n)} attempts logged in webhook_attempts)`);
  } finally {
    for (const child of children) child.kill(process.env.BENCH_PROF ? 'SIGTERM' : 'SIGKILL');
    await sleep(200);
    await db.destroy();
  }
}

console.log(
  `webhook delivery benchmark: ${ENDPOINTS} endpoints, ${SECONDS} s per phase, attempt timeout 1 s, every attempt logged`,
);
console.log(
  "scenario | workers | delivered | deliveries/s | p50 ms | p99 ms | CPU ms per 1,000: workers (the ceiling: its own loop) | PostgreSQL, all processes | PostgreSQL, the workers' backends | note",
);
await ceiling();
const only = process.env.BENCH_ONLY;
if (only !== 'postgres') await scenario('sqlite', 1);
if (only !== 'sqlite' && process.env.TEST_DATABASE_URL) {
  await scenario('postgres', 1);
  await scenario('postgres', 2);
} else if (only !== 'sqlite') {
  console.log('postgres: skipped (set TEST_DATABASE_URL or DATABASE_URL)');
}
receiver.kill();
process.exit(0);
