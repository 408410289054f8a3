// What sharing the rate limit costs: CPU µs per request of a rate-limited route (a trivial GET, so the
// limiter is most of the work) with the shared store beside the in-memory ones, measured in the same
// run. 50 callers (keyed by a header) at the government tier's 20,000/hour, all within their limits:
// - no rate limit (the route alone);
// - @fastify/rate-limit's own in-memory store (what every process used before: not shared);
// - the leased quota over memory counters (SQLite deployments, one process);
// - the leased quota over rate_limit_windows on PostgreSQL (shared; TEST_DATABASE_URL or DATABASE_URL),
//   with the CPU of PostgreSQL's processes per request beside it.
// Each server is a child process; the figures include the store round trips per request.
import { fork } from 'node:child_process';
import rateLimit from '@fastify/rate-limit';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { pino } from 'pino';
import { systemClock } from '../../src/config/clock.ts';
import { leasedQuotaStore } from '../../src/http/rate-limit-store.ts';
import { databaseWindowCounters, memoryWindowCounters } from '../../src/rate-limits/counters.ts';
import type { WindowCounters } from '../../src/rate-limits/counters.ts';
import { createLeasedQuota } from '../../src/rate-limits/quota.ts';
import { createTestDatabase } from '../../src/testing/database.ts';
import { postgresCpuMicros, processCpuMicros } from '../process-cpu.ts';

const SERVER = 'rate-limit-server';
const CALLERS = 50;
const LIMIT_PER_HOUR = 20_000;
type Store = 'none' | 'fastify-memory' | 'leased-memory' | 'leased-postgres';

const LABELS: Record<Store, string> = {
  none: 'no rate limit',
  'fastify-memory': 'in-process, @fastify/rate-limit (before)',
  'leased-memory': 'leased quota, memory counters (SQLite)',
  'leased-postgres': 'leased quota, PostgreSQL counters (shared)',
};

/** The child: a trivial limited route over the chosen store; answers `stats` with the store round trips. */
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
  process.on('message', async (message: string) => {
    if (message !== 'stats') return;
    process.send?.({ adds });
    await app.close();
    await database?.destroy();
    process.exit(0);
  });
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
}

function start(store: Store) {
  const child = fork(new URL(import.meta.url), [SERVER, store], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${store} server exited with ${code}`)));
  });
  const stop = () =>
    new Promise<number>((resolve) => {
      child.once('message', (message: { adds: number }) => resolve(message.adds));
      child.send('stats');
    });
  return { pid: child.pid as number, port, stop };
}

/** Runs every store in turn and prints them one under another, with the round trips they made. */
export async function runRateLimitBench(seconds: number): Promise<void> {
  if (!process.env.TEST_DATABASE_URL && process.env.DATABASE_URL)
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
  const postgres = Boolean(process.env.TEST_DATABASE_URL);
  console.log(
    `\nrate limit: ${CALLERS} callers at ${LIMIT_PER_HOUR}/hour, a trivial GET, 100 connections, ${seconds} s each`,
  );
  const stores: Store[] = [
    'none',
    'fastify-memory',
    'leased-memory',
    ...(postgres ? ['leased-postgres' as const] : []),
  ];
  for (const store of stores) {
    const server = start(store);
    const port = await server.port;
    let caller = 0;
    const cpuBefore = processCpuMicros(server.pid);
    const postgresBefore = postgresCpuMicros();
    const result = await autocannon({
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
    const total = Math.max(1, result.requests.total);
    const cpu = (processCpuMicros(server.pid) - cpuBefore) / total;
    const database = (postgresCpuMicros() - postgresBefore) / total;
    const adds = await server.stop();
    const refused = result.non2xx + result.errors;
    console.log(
      `${LABELS[store].padEnd(44)} ${String(Math.round(result.requests.average)).padStart(7)} req/s   CPU ${cpu.toFixed(0).padStart(4)} µs/req` +
        (store === 'leased-postgres' ? ` + PostgreSQL ${database.toFixed(0)} µs/req` : '') +
        (store.startsWith('leased') ? `   store round trips ${((100 * adds) / total).toFixed(2)} % of requests` : '') +
        (refused ? `   (${refused} non-2xx/errors)` : ''),
    );
  }
  if (!postgres) console.log('leased quota on PostgreSQL: skipped (set TEST_DATABASE_URL or DATABASE_URL)');
}

if (process.argv[2] === SERVER) await serve(process.argv[3] as Store);
