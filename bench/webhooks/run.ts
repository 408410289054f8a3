// Webhook delivery benchmark (npm run bench:webhooks): events produced through the real outbox
// (emitEvent, one transaction each) fan out to N endpoints on a loopback receiver process and are
// delivered by 1 or 2 real worker processes, every attempt logged. Prints sustained deliveries/s,
// commit→receipt p50/p99 at half that rate, the same with 10 % of endpoints timing out (healthy
// endpoints' p99 apart), beside a raw undici POST loop to the same receiver (the ceiling).
// SQLite always; PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set. A few minutes at most.
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { emitEvent } from '../../src/events/outbox.ts';
import type { DialectName } from '../../src/database/adapter.ts';
import { newEndpointId } from '../../src/webhooks/ids.ts';
import { loadKeyRing } from '../../src/crypto/key-ring.ts';
import { createTestDatabase } from '../../src/testing/database.ts';
import type { TestDatabase } from '../../src/testing/database.ts';
import { newSealedSecret } from '../../src/webhooks/secrets.ts';
import { processCpuMicros } from '../process-cpu.ts';

const ENDPOINTS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (pgUrl && !process.env.TEST_DATABASE_URL) process.env.TEST_DATABASE_URL = pgUrl;

interface Report {
  latencies: number[];
  first: number;
  last: number;
}

const receiver = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
const report = () =>
  new Promise<Report>((resolve) => {
    receiver.once('message', (m: Report) => resolve(m));
    receiver.send('report');
  });

/** CPU milliseconds per 1,000 units of work, from microseconds spent. */
const cpuPerThousand = (micros: number, units: number) => (units > 0 ? micros / units : NaN).toFixed(0);
const workersCpu = (children: ChildProcess[]) =>
  children.reduce((sum, child) => sum + (child.pid === undefined ? 0 : processCpuMicros(child.pid)), 0);

const pct = (sorted: number[], q: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) : NaN;
const rows: string[][] = [];
const row = (...cells: (string | number)[]) => {
  rows.push(cells.map(String));
  console.log(cells.map(String).join(' | '));
};

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
          path: '/ok/raw',
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
  await report();
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
  );
}

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

/** A tenant with N endpoints subscribed to everything; `hang` of them never answer. */
async function tenant(db: TestDatabase, hang: number): Promise<string> {
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
    const path = i < hang ? `/hang/${i}` : `/ok/${i}`;
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

async function drain(expected: number, timeoutMs: number): Promise<Report> {
  const all: Report = { latencies: [], first: 0, last: 0 };
  const deadline = Date.now() + timeoutMs;
  while (all.latencies.length < expected && Date.now() < deadline) {
    await sleep(250);
    const r = await report();
    all.latencies.push(...r.latencies);
    if (r.first && !all.first) all.first = r.first;
    if (r.last) all.last = r.last;
  }
  return all;
}

async function scenario(dialect: DialectName, workers: number): Promise<void> {
  const db = await createTestDatabase(dialect);
  const children = await startWorkers(db, workers);
  try {
    // 1. Sustained throughput: offer 10,000 deliveries/s (200 events/s × 50 endpoints).
    let customer = await tenant(db, 0);
    let cpuBefore = workersCpu(children);
    const started = Date.now();
    const events = await produce(db, customer, 200, SECONDS);
    const sustained = await drain(events * ENDPOINTS, 30_000);
    const rate = Math.round(sustained.latencies.length / ((sustained.last - started) / 1000));
    const s = sustained.latencies.sort((a, b) => a - b);
    row(
      `${dialect}, ${workers} worker${workers > 1 ? 's' : ''}: offered 10,000/s`,
      workers,
      `${sustained.latencies.length}/${events * ENDPOINTS}`,
      rate,
      pct(s, 0.5),
      pct(s, 0.99),
      cpuPerThousand(workersCpu(children) - cpuBefore, sustained.latencies.length),
      '-',
    );

    // 2. Latency at half the sustained rate (at most 2,500/s as in the aim).
    const half = Math.min(2_500, Math.round(rate / 2));
    customer = await tenant(db, 0);
    cpuBefore = workersCpu(children);
    const quietEvents = await produce(db, customer, half / ENDPOINTS, SECONDS);
    const quiet = (await drain(quietEvents * ENDPOINTS, 20_000)).latencies.sort((a, b) => a - b);
    row(
      `${dialect}, ${workers}w: quiet at ${half}/s`,
      workers,
      `${quiet.length}/${quietEvents * ENDPOINTS}`,
      Math.round(quiet.length / SECONDS),
      pct(quiet, 0.5),
      pct(quiet, 0.99),
      cpuPerThousand(workersCpu(children) - cpuBefore, quiet.length),
      '-',
    );

    // 3. The same rate with 10 % of the endpoints never answering (1 s attempt timeout).
    customer = await tenant(db, ENDPOINTS / 10);
    cpuBefore = workersCpu(children);
    const noisyEvents = await produce(db, customer, half / ENDPOINTS, SECONDS);
    const healthyExpected = noisyEvents * (ENDPOINTS - ENDPOINTS / 10);
    const noisy = (await drain(healthyExpected, 20_000)).latencies.sort((a, b) => a - b);
    row(
      `${dialect}, ${workers}w: 10 % endpoints time out`,
      workers,
      `${noisy.length}/${healthyExpected} healthy`,
      Math.round(noisy.length / SECONDS),
      pct(noisy, 0.5),
      pct(noisy, 0.99),
      cpuPerThousand(workersCpu(children) - cpuBefore, noisy.length),
      `healthy p99 ${pct(noisy, 0.99)} ms = ${(pct(noisy, 0.99) / pct(quiet, 0.99)).toFixed(2)}× quiet`,
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
  'scenario | workers | delivered | deliveries/s | p50 ms | p99 ms | CPU ms per 1,000 (workers; the ceiling: its own loop) | note',
);
await ceiling();
await scenario('sqlite', 1);
if (process.env.TEST_DATABASE_URL) {
  await scenario('postgres', 1);
  await scenario('postgres', 2);
} else {
  console.log('postgres: skipped (set TEST_DATABASE_URL or DATABASE_URL)');
}
receiver.kill();
process.exit(0);
