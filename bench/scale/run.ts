// Scale-out benchmark (npm run bench:scale): the product's own processes on one PostgreSQL, 1 API
// (`serve --no-worker`) + 1 worker, then 2 + 2, each set on a fresh schema. A producer (undici, in
// this process) spreads ticket creates and list-50 reads over the API processes; every create's
// ticket.created event fans out to ENDPOINTS webhook endpoints (registered through the API) on a
// loopback receiver process. Per phase: API requests/s, deliveries/s, commit→receipt p50/p99 at a
// paced rate, each process's CPU per unit of work (PostgreSQL's backends told apart by the process
// they serve) and which processes ran at ≥ 90 % of a core. Phases and steps are isolated: the
// backlog is drained and checked empty, and what was left is reported. Needs TEST_DATABASE_URL or
// DATABASE_URL (exits 0 without). Usage: npm run bench:scale [-- --seconds N] (N per load step, 8).
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { request } from 'undici';
import { systemClock } from '../../src/config/clock.ts';
import type { Database } from '../../src/database/schema.ts';
import { createIdentityService } from '../../src/identity/service.ts';
import { createTestDatabase } from '../../src/testing/database.ts';
import { TICKET, UNREACHED_RATE_LIMITS } from '../api/seed-tickets.ts';
import { sampleCpu } from './cpu-sampler.ts';
import type { Backend, StepCpu } from './cpu-sampler.ts';
import { percentile, producer } from './producer.ts';
import type { ApiRequest, LoadResult } from './producer.ts';
import { applicationName, buildIfStale, startApi, startWorker, stopProcess } from './processes.ts';
import type { ProductProcess } from './processes.ts';
import { createMemoryLiveFeed } from '../../src/realtime/live-feed.ts';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 8;
/** Endpoints per tenant, each subscribed to ticket.created: every create is this many deliveries. */
const ENDPOINTS = 10;
/** Connections of the producer, spread evenly over the API processes. */
const CONNECTIONS = 100;
/** The paced step's creates/s (× ENDPOINTS deliveries/s): a rate every phase keeps up with. */
const PACED_CREATES_PER_SECOND = 20;
const WARM_UP_SECONDS = 2;
const DRAIN_TIMEOUT_MS = 60_000;
const SATURATED = 0.9;

const pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!pgUrl) {
  console.log('bench:scale needs PostgreSQL: set TEST_DATABASE_URL or DATABASE_URL (skipped)');
  process.exit(0);
}
process.env.TEST_DATABASE_URL = pgUrl;
buildIfStale();

const receiver = fork(fileURLToPath(new URL('../webhooks/receiver.ts', import.meta.url)), {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
process.on('exit', () => receiver.kill());
// The receiver tallies by the URL's first segment; each phase runs on a drained queue, so one name serves all.
const RECEIVER_PHASE = 'scale';
const receiverPort = await new Promise<number>((resolve) =>
  receiver.once('message', (m: { port: number }) => resolve(m.port)),
);
/** Deliveries the receiver has seen since the last call: commit→receipt latency (ms) each, last receipt time. */
const received = () =>
  new Promise<{ latencies: number[]; last: number }>((resolve) => {
    receiver.once('message', resolve);
    receiver.send(RECEIVER_PHASE);
  });

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-');
/** CPU per unit: µs per request, or µs per delivery = ms per 1,000 deliveries. */
const perUnit = (micros: number, units: number) => (units > 0 ? micros / units : NaN);

type Monitor = Kysely<Database>;

/**
 * The bench's own queries on a phase's schema, on one connection opened before the product's
 * processes take theirs and held to the end: a PostgreSQL at max_connections fails the processes'
 * new connections (which the bench reports), never the bench's.
 */
async function openMonitor(schema: string): Promise<Monitor> {
  const pool = new pg.Pool({
    connectionString: pgUrl,
    max: 1,
    idleTimeoutMillis: 0,
    options: `-c search_path=${schema}`,
  });
  const monitor = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(monitor);
  return monitor;
}

async function maxConnections(monitor: Monitor): Promise<number> {
  const row = await sql<{ n: number }>`select current_setting('max_connections')::int as n`.execute(monitor);
  return row.rows[0]?.n ?? NaN;
}

/** Due or running jobs and undelivered webhook messages: what a step left behind. */
async function backlog(monitor: Monitor) {
  const now = new Date().toISOString();
  const jobs = await monitor
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where((eb) =>
      eb.or([eb('status', '=', 'running'), eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)])]),
    )
    .executeTakeFirstOrThrow();
  const messages = await monitor
    .selectFrom('webhook_messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { dueJobs: Number(jobs.n), pendingMessages: Number(messages.n) };
}

/** PostgreSQL's processes: client connections by application_name, its own processes as null. */
async function backends(monitor: Monitor): Promise<Backend[]> {
  const rows = await sql<{
    pid: number;
    application_name: string | null;
    backend_type: string;
  }>`select pid, application_name, backend_type from pg_stat_activity`.execute(monitor);
  return rows.rows.map((row) => ({
    pid: row.pid,
    applicationName: row.backend_type === 'client backend' ? (row.application_name ?? '') : null,
  }));
}

/** The tickets a tenant has: its committed creates. */
async function ticketCount(monitor: Monitor, customerId: string): Promise<number> {
  const row = await monitor
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('customer_id', '=', customerId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The deliveries a phase has received so far (each create is ENDPOINTS of them). */
interface Tally {
  delivered: number;
}

/** The receiver's deliveries since the last call, added to the phase's tally. */
async function take(tally: Tally) {
  const report = await received();
  tally.delivered += report.latencies.length;
  return report;
}

/**
 * Waits until every committed ticket's deliveries arrived and no job or message is due, or the
 * drain timeout; returns the deliveries it saw, the last one's time and what was left.
 */
async function drain(monitor: Monitor, customerId: string, tally: Tally) {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const latencies: number[] = [];
  let last = 0;
  while (Date.now() < deadline) {
    const report = await take(tally);
    latencies.push(...report.latencies);
    if (report.last) last = report.last;
    if (tally.delivered >= (await ticketCount(monitor, customerId)) * ENDPOINTS) {
      const left = await backlog(monitor);
      if (left.dueJobs === 0 && left.pendingMessages === 0) break;
    }
    await sleep(250);
  }
  return { latencies, last, left: await backlog(monitor) };
}

const describeLeft = (left: Awaited<ReturnType<typeof backlog>>) =>
  `left: ${left.dueJobs} due jobs, ${left.pendingMessages} pending messages`;

/** A load step's rate, latency and failures. */
const describeLoad = (result: LoadResult) =>
  `${CONNECTIONS} connections, ${result.seconds.toFixed(1)} s: ${int(result.ok / result.seconds)} req/s (p50 ${int(percentile(result.latencies, 0.5))} ms, p99 ${int(percentile(result.latencies, 0.99))} ms${result.failed ? `, ${result.failed} failed: ${[...result.failures].map(([reason, count]) => `${count} × ${reason}`).join(', ')}` : ''})`;

const cpuOf = (cpu: StepCpu, label: string) => cpu.byLabel.get(label) ?? 0;
const cpuOfAll = (cpu: StepCpu, labels: string[]) => labels.reduce((sum, label) => sum + cpuOf(cpu, label), 0);

/** The processes at ≥ 90 % of a core over a step, and the machine when all its cores were that busy. */
function saturatedIn(cpu: StepCpu): string[] {
  const share = (micros: number) => `${int((micros / cpu.wallMicros) * 100)} %`;
  const processes = cpu.byProcess
    .filter(({ micros }) => micros / cpu.wallMicros >= SATURATED)
    .map(
      ({ label, micros }) => `${label.startsWith('postgres for') ? `a backend of ${label}` : label} ${share(micros)}`,
    );
  const machineBusy = cpu.machineBusyMicros / cpu.machineTotalMicros;
  return machineBusy >= SATURATED ? [...processes, `the machine ${int(machineBusy * 100)} %`] : processes;
}

/** Each process's (and PostgreSQL's share's) % of a core over a step, the machine's use, and who was saturated. */
function describeCpu(cpu: StepCpu): string {
  const share = (micros: number) => `${int((micros / cpu.wallMicros) * 100)} %`;
  const cores = (micros: number) => (micros / cpu.wallMicros).toFixed(2);
  // The product's processes, the receiver and the producer in start order, then PostgreSQL's shares.
  const labels = [...cpu.byLabel.keys()].sort(
    (a, b) =>
      Number(a.startsWith('postgres')) - Number(b.startsWith('postgres')) ||
      (a.startsWith('postgres') ? a.localeCompare(b) : 0),
  );
  const ours = [...cpu.byLabel.values()].reduce((sum, micros) => sum + micros, 0);
  const ourPostgres = cpuOfAll(
    cpu,
    labels.filter((label) => label.startsWith('postgres')),
  );
  const saturated = saturatedIn(cpu);
  return [
    `     CPU, % of a core: ${labels.map((label) => `${label} ${share(cpuOf(cpu, label))}`).join(', ')}`,
    `     machine: ${cores(cpu.machineBusyMicros)} of ${cores(cpu.machineTotalMicros)} cores busy: this bench ${cores(ours)}, others ${cores(Math.max(0, cpu.machineBusyMicros - ours))} (of which other PostgreSQL sessions ${cores(Math.max(0, cpu.postgresAllMicros - ourPostgres))})`,
    `     at ≥ ${SATURATED * 100} % of a core (the machine: of all its cores): ${saturated.length ? saturated.join(', ') : 'none'}`,
  ].join('\n');
}

interface PhaseResult {
  name: string;
  createsPerSecond: number;
  listsPerSecond: number;
  deliveriesPerSecondLoaded: number;
  deliveriesPerSecondDrain: number;
  pacedP50: number;
  pacedP99: number;
  apiMicrosPerCreate: number;
  apiMicrosPerList: number;
  postgresMicrosPerCreate: number;
  postgresMicrosPerList: number;
  workerMillisPerThousand: number;
  postgresMillisPerThousand: number;
  saturated: string;
}

async function phase(apiCount: number, workerCount: number): Promise<PhaseResult> {
  const name = `${apiCount} API + ${workerCount} worker${workerCount > 1 ? 's' : ''}`;
  console.log(`\n${name} (fresh schema)`);
  const db = await createTestDatabase('postgres');
  const identity = createIdentityService({
    db: db.db,
    clock: systemClock,
    sessionTtlHours: 24,
    // It only creates the tenant: nothing it does concerns the API processes' caches.
    liveFeed: createMemoryLiveFeed(),
  });
  const tenant = await identity.createTenant({
    name: 'Bench Scale',
    tier: 'standard',
    adminEmail: 'scale@example.com',
  });
  const apiKey = tenant.apiKey.key;
  const monitor = await openMonitor(db.env.SECUREBASE_DB_SCHEMA ?? '');
  const env = {
    ...process.env,
    ...db.env,
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_HOUR: UNREACHED_RATE_LIMITS,
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
  };
  const apis: ProductProcess[] = [];
  const workers: ProductProcess[] = [];
  let closeProducer: () => Promise<unknown> = async () => {};
  try {
    // One at a time: the first start of a schema creates its platform admin.
    for (let i = 1; i <= apiCount; i += 1) apis.push(await startApi(`api ${i}`, env));
    for (let i = 1; i <= workerCount; i += 1) workers.push(await startWorker(`worker ${i}`, env));
    for (let i = 0; i < ENDPOINTS; i += 1) {
      const response = await request(`http://127.0.0.1:${apis[0]?.port}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          url: `http://127.0.0.1:${receiverPort}/${RECEIVER_PHASE}/ok/${i}`,
          events: ['ticket.created'],
        }),
      });
      if (response.statusCode !== 201)
        throw new Error(`POST /v1/webhooks answered ${response.statusCode}: ${await response.body.text()}`);
      await response.body.dump();
    }

    const labels = [...apis, ...workers].map((p) => p.label);
    const byApplication = new Map(labels.map((label) => [applicationName(label), `postgres for ${label}`]));
    const sampler = () =>
      sampleCpu(
        [...apis, ...workers, { label: 'receiver', pid: receiver.pid ?? 0 }, { label: 'producer', pid: process.pid }],
        () => backends(monitor),
        (application) => byApplication.get(application) ?? null,
      );
    const apiLabels = apis.map((p) => p.label);
    const workerLabels = workers.map((p) => p.label);
    const postgresFor = (list: string[]) => list.map((label) => `postgres for ${label}`);

    const customerId = tenant.customer.id;
    const tally: Tally = { delivered: 0 };
    const create: ApiRequest = { method: 'POST', path: '/v1/support/tickets', body: TICKET };
    const list: ApiRequest = { method: 'GET', path: '/v1/support/tickets?limit=50' };
    const load = producer(
      apis.map((api) => api.port),
      apiKey,
      CONNECTIONS,
    );
    closeProducer = load.close;

    // 0. Warm-up, not measured: the processes' first requests and deliveries compile their code.
    await load.run(create, { seconds: WARM_UP_SECONDS });
    await load.run(list, { seconds: WARM_UP_SECONDS });
    const warm = await drain(monitor, customerId, tally);
    console.log(`  warm-up: ${int(tally.delivered)} deliveries; ${describeLeft(warm.left)}`);

    // 1. Creates at full load, the workers delivering meanwhile.
    const ticketsBefore = await ticketCount(monitor, customerId);
    const deliveredBefore = tally.delivered;
    let cpu = sampler();
    const creates = await load.run(create, { seconds: SECONDS });
    const createCpu = await cpu.stop();
    const committed = (await ticketCount(monitor, customerId)) - ticketsBefore;
    const duringLoad = await take(tally);
    const loadedRate = duringLoad.latencies.length / creates.seconds;
    console.log(`  create, ${describeLoad(creates)}; ${int(loadedRate)} deliveries/s meanwhile`);
    console.log(describeCpu(createCpu));

    // 2. Drain: the workers deliver the backlog while the API is idle.
    cpu = sampler();
    const drainStarted = Date.now();
    const drained = await drain(monitor, customerId, tally);
    const drainCpu = await cpu.stop();
    const delivered = tally.delivered - deliveredBefore;
    const drainRate =
      drained.last > drainStarted ? drained.latencies.length / ((drained.last - drainStarted) / 1000) : NaN;
    const all = [...duringLoad.latencies, ...drained.latencies].sort((a, b) => a - b);
    console.log(
      `  drain: ${int(drained.latencies.length)} deliveries at ${int(drainRate)}/s; ${int(delivered)} of ${int(committed * ENDPOINTS)} delivered, commit→receipt p50 ${int(percentile(all, 0.5))} ms, p99 ${int(percentile(all, 0.99))} ms (queued behind the backlog); ${describeLeft(drained.left)}`,
    );
    console.log(describeCpu(drainCpu));

    // 3. List-50 at full load (no events: the workers idle).
    cpu = sampler();
    const lists = await load.run(list, { seconds: SECONDS });
    const listCpu = await cpu.stop();
    console.log(`  list-50, ${describeLoad(lists)}`);
    console.log(describeCpu(listCpu));

    // 4. Latency at a rate every phase keeps up with.
    const pacedSeconds = Math.max(3, Math.round(SECONDS / 2));
    await take(tally);
    cpu = sampler();
    const paced = await load.run(create, { seconds: pacedSeconds, perSecond: PACED_CREATES_PER_SECOND });
    const pacedDrain = await drain(monitor, customerId, tally);
    const pacedCpu = await cpu.stop();
    const pacedLatencies = pacedDrain.latencies.sort((a, b) => a - b);
    console.log(
      `  paced: ${PACED_CREATES_PER_SECOND} creates/s for ${pacedSeconds} s (API p50 ${int(percentile(paced.latencies, 0.5))} ms, p99 ${int(percentile(paced.latencies, 0.99))} ms), ${int(pacedLatencies.length)} deliveries: commit→receipt p50 ${int(percentile(pacedLatencies, 0.5))} ms, p99 ${int(percentile(pacedLatencies, 0.99))} ms; ${describeLeft(pacedDrain.left)}`,
    );
    // The same costs without the full-load steps' queues: what contention adds shows beside them.
    console.log(
      `     CPU per unit at this rate: API ${int(perUnit(cpuOfAll(pacedCpu, apiLabels), paced.ok))} µs/create, PostgreSQL ${int(perUnit(cpuOfAll(pacedCpu, postgresFor(apiLabels)), paced.ok))} µs/create; workers ${int(perUnit(cpuOfAll(pacedCpu, workerLabels), pacedLatencies.length))} ms/1,000 deliveries, PostgreSQL ${int(perUnit(cpuOfAll(pacedCpu, postgresFor(workerLabels)), pacedLatencies.length))} ms/1,000 deliveries`,
    );

    const peak = new Map<string, number>();
    for (const step of [createCpu, drainCpu, listCpu])
      for (const [client, count] of step.peakConnections) peak.set(client, Math.max(count, peak.get(client) ?? 0));
    const ourPeak = [...peak].filter(([client]) => client !== 'other sessions').map(([, count]) => count);
    console.log(
      `  PostgreSQL connections at most: ${[...peak].map(([client, count]) => `${client.replace('postgres for ', '')} ${count}`).join(', ')} (this phase's processes ${ourPeak.reduce((sum, count) => sum + count, 0)} the sum of their peaks; max_connections ${await maxConnections(monitor)})`,
    );

    for (const { label, child, errors } of [...apis, ...workers]) {
      if (child.exitCode !== null) console.log(`  ${label} exited during the phase (code ${child.exitCode})`);
      if (errors.count > 0) console.log(`  ${label} logged ${errors.count} errors, the first: ${errors.first}`);
    }

    const deliveryCpu = (labels: string[]) => cpuOfAll(createCpu, labels) + cpuOfAll(drainCpu, labels);
    const saturated = [createCpu, drainCpu, listCpu].map((step) => saturatedIn(step).join(' + ') || 'none');
    return {
      name,
      createsPerSecond: creates.ok / creates.seconds,
      listsPerSecond: lists.ok / lists.seconds,
      deliveriesPerSecondLoaded: loadedRate,
      deliveriesPerSecondDrain: drainRate,
      pacedP50: percentile(pacedLatencies, 0.5),
      pacedP99: percentile(pacedLatencies, 0.99),
      apiMicrosPerCreate: perUnit(cpuOfAll(createCpu, apiLabels), committed),
      apiMicrosPerList: perUnit(cpuOfAll(listCpu, apiLabels), lists.ok),
      postgresMicrosPerCreate: perUnit(cpuOfAll(createCpu, postgresFor(apiLabels)), committed),
      postgresMicrosPerList: perUnit(cpuOfAll(listCpu, postgresFor(apiLabels)), lists.ok),
      workerMillisPerThousand: perUnit(deliveryCpu(workerLabels), delivered),
      postgresMillisPerThousand: perUnit(deliveryCpu(postgresFor(workerLabels)), delivered),
      saturated: `create: ${saturated[0]}; drain: ${saturated[1]}; list: ${saturated[2]}`,
    };
  } finally {
    await closeProducer();
    await Promise.all([...apis, ...workers].map(stopProcess));
    await monitor.destroy();
    await db.destroy();
  }
}

console.log(
  `bench/scale: PostgreSQL, the product's processes (bin/securebase.js), ${ENDPOINTS} endpoints per ticket.created, ${SECONDS} s per load step, producer ${CONNECTIONS} connections spread over the API processes`,
);
const results = [await phase(1, 1), await phase(2, 2)];
receiver.kill();

console.log(
  '\nphase | create req/s | list-50 req/s | deliveries/s (during creates; drain) | commit→receipt p50/p99 ms (paced) | API µs/create | API µs/list | PostgreSQL µs/create | PostgreSQL µs/list | worker ms/1,000 deliveries | PostgreSQL ms/1,000 deliveries | at ≥ 90 % of a core',
);
for (const r of results) {
  console.log(
    [
      r.name,
      int(r.createsPerSecond),
      int(r.listsPerSecond),
      `${int(r.deliveriesPerSecondLoaded)}; ${int(r.deliveriesPerSecondDrain)}`,
      `${int(r.pacedP50)}/${int(r.pacedP99)}`,
      int(r.apiMicrosPerCreate),
      int(r.apiMicrosPerList),
      int(r.postgresMicrosPerCreate),
      int(r.postgresMicrosPerList),
      int(r.workerMillisPerThousand),
      int(r.postgresMillisPerThousand),
      r.saturated,
    ].join(' | '),
  );
}

// CPU per unit × rate: µs per request × 1,000 requests/s = that many ms of CPU per second, /1,000 cores.
const cores = (perUnitMicrosOrMillis: number) => (perUnitMicrosOrMillis / 1_000).toFixed(2);
console.log('\nWhat a deployment needs, in cores (CPU per unit × rate; each phase measured on its own):');
for (const r of results) {
  console.log(
    `  from ${r.name}: per 1,000 deliveries/s: workers ${cores(r.workerMillisPerThousand)}, PostgreSQL ${cores(r.postgresMillisPerThousand)}; per 1,000 creates/s: API ${cores(r.apiMicrosPerCreate)}, PostgreSQL ${cores(r.postgresMicrosPerCreate)} (plus ${ENDPOINTS} deliveries each here); per 1,000 list-50/s: API ${cores(r.apiMicrosPerList)}, PostgreSQL ${cores(r.postgresMicrosPerList)}`,
  );
}
process.exit(0);
