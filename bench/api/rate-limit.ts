// What sharing the rate limit costs: CPU µs per request of a rate-limited route (a trivial GET, so the
// limiter is most of the work) with the shared store beside the in-memory ones, measured in the same
// run. 50 callers (keyed by a header) at the government tier's 20,000/hour, all within their limits:
// - no rate limit (the route alone);
// - @fastify/rate-limit's own in-memory store (what every process used before: not shared);
// - the leased quota over memory counters (SQLite deployments, one process);
// - the leased quota over rate_limit_windows on PostgreSQL (shared; TEST_DATABASE_URL or DATABASE_URL),
//   with the CPU of the PostgreSQL backends serving it per request beside it.
// Each server is a child process; the figures include the store round trips per request. Every store
// runs ROUNDS times, interleaved, and prints its lowest CPU per request: on a shared machine the
// neighbours only ever add to it.
import { fork } from 'node:child_process';
import rateLimit from '@fastify/rate-limit';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { systemClock } from '../../src/config/clock.ts';
import { leasedQuotaStore } from '../../src/http/rate-limit-store.ts';
import { databaseWindowCounters, memoryWindowCounters } from '../../src/rate-limits/counters.ts';
import type { WindowCounters } from '../../src/rate-limits/counters.ts';
import { createLeasedQuota } from '../../src/rate-limits/quota.ts';
import { createTestDatabase } from '../../src/testing/database.ts';
import { processCpuMicros, scheduledCpuMicros } from '../process-cpu.ts';

const SERVER = 'rate-limit-server';
// The PostgreSQL backends serving the bench's server, told apart from the rest of the machine's.
const APPLICATION_NAME = 'securebase-rate-limit-bench';
const ROUNDS = 2;
const CALLERS = 50;
const LIMIT_PER_HOUR = 20_000;
type Store = 'none' | 'fastify-memory' | 'leased-memory' | 'leased-postgres';

const LABELS: Record<Store, string> = {
  none: 'no rate limit',
  'fastify-memory': 'in-process, @fastify/rate-limit (before)',
  'leased-memory': 'leased quota, memory counters (SQLite)',
  'leased-postgres': 'leased quota, PostgreSQL counters (shared)',
};

/**
 * The child: a trivial limited route over the chosen store. Answers `snapshot` with the pids of the
 * PostgreSQL backends its pool holds and the store round trips it has made; exits on `stop`.
 */
async function serve(store: Store): Promise<void> {
  const database = store === 'leased-postgres' ? await createTestDatabase('postgres') : null;
  let adds = 0;
  const inner: WindowCounters = database ? databaseWindowCounters(database.db) : memoryWindowCounters();
  const counters: WindowCounters = {
    ...inner,
    add: (...args) => {
      adds += 1;
      return inner.add(...args);
    },
  };
  const app = Fastify();
  if (store !== 'none') {
    await app.register(rateLimit, {
      hook: 'onRequest',
      enableDraftSpec: true,
      timeWindow: '1 hour',
      max: LIMIT_PER_HOUR,
      keyGenerator: (request) => String(request.headers['x-caller']),
      ...(store === 'fastify-memory'
        ? {}
        : {
            store: leasedQuotaStore(createLeasedQuota(counters, systemClock), pino({ level: 'warn' })),
            skipOnError: true,
          }),
    });
  }
  app.get('/', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.on('disconnect', () => process.exit(1));
  process.on('message', async (message: string) => {
    if (message === 'snapshot') {
      const rows = database
        ? (
            await sql<{
              pid: number;
            }>`select pid from pg_stat_activity where application_name = ${APPLICATION_NAME}`.execute(database.db)
          ).rows
        : [];
      process.send?.({ backends: rows.map((row) => row.pid), adds });
    } else if (message === 'stop') {
      await app.close();
      await database?.destroy();
      process.exit(0);
    }
  });
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
}

function start(store: Store, databaseUrl: string | undefined) {
  const child = fork(new URL(import.meta.url), [SERVER, store], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      ...(databaseUrl ? { TEST_DATABASE_URL: withApplicationName(databaseUrl) } : {}),
    },
  });
  const port = new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${store} server exited with ${code}`)));
  });
  const ask = <T>(message: string) =>
    new Promise<T>((resolve) => {
      child.once('message', resolve);
      child.send(message);
    });
  /** The store round trips so far, and the CPU time so far of each PostgreSQL backend serving the child. */
  const snapshot = async () => {
    const { backends, adds } = await ask<{ backends: number[]; adds: number }>('snapshot');
    return { adds, backendsCpu: new Map(backends.map((pid) => [pid, scheduledCpuMicros(pid)])) };
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send('stop');
    });
  return { pid: child.pid as number, port, snapshot, stop };
}

function withApplicationName(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', APPLICATION_NAME);
  return url.href;
}

/** 100 connections for `seconds`, the callers taking turns. */
function load(port: number, seconds: number) {
  let caller = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: 100,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, 'x-caller': String((caller += 1) % CALLERS) },
        }),
      },
    ],
  });
}

/** One load phase over one store: throughput, CPU per request of the server and of its backends, round trips. */
async function measure(store: Store, seconds: number, databaseUrl: string | undefined) {
  const server = start(store, databaseUrl);
  const port = await server.port;
  // A second of load first, so the pool's connections are open and the code is compiled.
  await load(port, 1);
  const cpuBefore = processCpuMicros(server.pid);
  const before = await server.snapshot();
  const result = await load(port, seconds);
  const total = Math.max(1, result.requests.total);
  const cpu = (processCpuMicros(server.pid) - cpuBefore) / total;
  const after = await server.snapshot();
  await server.stop();
  let database = 0;
  for (const [pid, micros] of after.backendsCpu) database += micros - (before.backendsCpu.get(pid) ?? 0);
  return {
    rate: result.requests.average,
    cpu,
    database: database / total,
    roundTrips: (after.adds - before.adds) / total,
    refused: result.non2xx + result.errors,
  };
}

/** Runs every store in turn and prints them one under another, with the round trips they made. */
export async function runRateLimitBench(seconds: number): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  console.log(
    `\nrate limit: ${CALLERS} callers at ${LIMIT_PER_HOUR}/hour, a trivial GET, 100 connections, ${seconds} s each, lowest CPU of ${ROUNDS} rounds`,
  );
  const stores: Store[] = [
    'none',
    'fastify-memory',
    'leased-memory',
    ...(databaseUrl ? ['leased-postgres' as const] : []),
  ];
  const best = new Map<Store, Awaited<ReturnType<typeof measure>>>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const store of stores) {
      const figures = await measure(store, seconds, databaseUrl);
      const kept = best.get(store);
      if (!kept || figures.cpu < kept.cpu) best.set(store, figures);
    }
  }
  for (const [store, { rate, cpu, database, roundTrips, refused }] of best) {
    console.log(
      `${LABELS[store].padEnd(44)} ${String(Math.round(rate)).padStart(7)} req/s   CPU ${cpu.toFixed(0).padStart(4)} µs/req` +
        (store === 'leased-postgres' ? ` + its PostgreSQL backends ${database.toFixed(1)} µs/req` : '') +
        (store.startsWith('leased') ? `   store round trips ${(100 * roundTrips).toFixed(2)} % of requests` : '') +
        (refused ? `   (${refused} non-2xx/errors)` : ''),
    );
  }
  if (!databaseUrl) console.log('leased quota on PostgreSQL: skipped (set TEST_DATABASE_URL or DATABASE_URL)');
}

if (process.argv[2] === SERVER) await serve(process.argv[3] as Store);
