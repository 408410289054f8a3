// SQL statements per request of ticket create and list-50, on SQLite and (with TEST_DATABASE_URL)
// PostgreSQL: the statements a request runs itself, then those the in-process worker runs
// afterwards for it (event dispatch), each with its text. Counts every statement that reaches the
// driver (better-sqlite3 statements, pg queries), transaction control included; on SQLite also the
// time each takes inside better-sqlite3.
// Usage: node --import tsx bench/api/statements.ts [--requests N] [--sql]
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { DialectName } from '../../src/database/adapter.ts';
import { coalescedWake, createWorker } from '../../src/server/worker.ts';
import { TEST_DIALECTS } from '../../src/testing/database.ts';
import { startTestServer } from '../../src/testing/server.ts';
import { waitFor } from '../../src/testing/wait.ts';

const requestsArg = process.argv.indexOf('--requests');
const REQUESTS = requestsArg > 0 ? Number(process.argv[requestsArg + 1]) : 100;
const SHOW_SQL = process.argv.includes('--sql');

const counts = new Map<string, number>();
/**
 * CPU time inside better-sqlite3 per statement text (process CPU, so neither waiting for a core on
 * a busy machine nor waiting for fsync counts); PostgreSQL runs elsewhere and is not timed.
 */
const micros = new Map<string, number>();
let counting = true;
const normalised = (sqlText: string) => sqlText.replace(/\s+/g, ' ').trim();
const count = (sqlText: string) => {
  if (!counting) return;
  const text = normalised(sqlText);
  counts.set(text, (counts.get(text) ?? 0) + 1);
};
const timed = <T>(sqlText: string, run: () => T): T => {
  const started = process.cpuUsage();
  try {
    return run();
  } finally {
    if (counting) {
      const text = normalised(sqlText);
      const used = process.cpuUsage(started);
      micros.set(text, (micros.get(text) ?? 0) + used.user + used.system);
    }
  }
};

// Every statement of either driver passes through these prototypes.
const statementPrototype = Object.getPrototypeOf(new SQLite(':memory:').prepare('select 1')) as Record<
  string,
  (...args: unknown[]) => unknown
>;
for (const method of ['run', 'all', 'get', 'iterate']) {
  const original = statementPrototype[method] as (...args: unknown[]) => unknown;
  statementPrototype[method] = function (this: { source: string }, ...args: unknown[]) {
    count(this.source);
    return timed(this.source, () => original.apply(this, args));
  };
}
const databasePrototype = SQLite.prototype as unknown as Record<string, (sqlText: string) => unknown>;
const originalExec = databasePrototype.exec as (sqlText: string) => unknown;
databasePrototype.exec = function (this: unknown, sqlText: string) {
  count(sqlText);
  return timed(sqlText, () => originalExec.call(this, sqlText));
};
const clientPrototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const originalQuery = clientPrototype.query;
clientPrototype.query = function (this: unknown, ...args: unknown[]) {
  const [config] = args;
  count(typeof config === 'string' ? config : ((config as { text?: string }).text ?? '?'));
  return originalQuery.apply(this, args);
};

/** The statements counted while `work` ran, per request, most frequent first. */
async function perRequest(work: () => Promise<void>) {
  counts.clear();
  micros.clear();
  await work();
  const statements = [...counts].map(([text, n]) => ({
    text,
    perRequest: n / REQUESTS,
    microsPerRequest: (micros.get(text) ?? 0) / REQUESTS,
  }));
  statements.sort((a, b) => b.perRequest - a.perRequest);
  return {
    total: statements.reduce((sum, s) => sum + s.perRequest, 0),
    micros: statements.reduce((sum, s) => sum + s.microsPerRequest, 0),
    statements,
  };
}

function report(label: string, result: Awaited<ReturnType<typeof perRequest>>): void {
  const time = result.micros > 0 ? `, ${Math.round(result.micros)} µs CPU in SQLite` : '';
  console.log(`  ${label.padEnd(36)} ${result.total.toFixed(2).padStart(6)} statements/request${time}`);
  if (!SHOW_SQL) return;
  for (const s of result.statements) {
    const time = s.microsPerRequest > 0 ? `${s.microsPerRequest.toFixed(0).padStart(5)} µs` : '';
    console.log(`      ${s.perRequest.toFixed(2).padStart(5)} ${time.padStart(8)}  ${s.text.slice(0, 150)}`);
  }
}

async function countFor(dialect: DialectName): Promise<void> {
  const server = await startTestServer(dialect);
  const { ctx, identity, database } = server;
  const tenant = await identity.createTenant({ name: 'Count Corp', tier: 'standard', adminEmail: 'c@example.com' });
  const worker = createWorker(ctx);
  const headers = { authorization: `Bearer ${tenant.apiKey.key}`, 'content-type': 'application/json' };
  const ticket = {
    subject: 'Benchmark ticket subject',
    description: 'A description long enough to pass validation rules.',
    priority: 'high',
    category: 'technical',
  };
  // Jobs due now (SLA checks for later do not count); the bench's own query is not counted.
  const backlog = async () => {
    counting = false;
    try {
      const row = await database.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('run_at', '<=', new Date().toISOString())
        .where('status', '!=', 'dead')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    } finally {
      counting = true;
    }
  };
  // Warm up (prepared statements, caches, the first key lookup), then drain what it enqueued.
  for (let i = 0; i < 5; i++) {
    await server.app.inject({ method: 'POST', url: '/v1/support/tickets', headers, payload: ticket });
  }
  await worker.start();
  await waitFor(async () => (await backlog()) === 0, 60_000, 'the worker to drain');
  await worker.stop();

  console.log(`${dialect}, ${REQUESTS} requests each:`);
  report(
    'POST /v1/support/tickets',
    await perRequest(async () => {
      for (let i = 0; i < REQUESTS; i++) {
        const response = await server.app.inject({
          method: 'POST',
          url: '/v1/support/tickets',
          headers,
          payload: ticket,
        });
        if (response.statusCode !== 201) throw new Error(`create answered ${response.statusCode}`);
      }
    }),
  );
  const restarted = createWorker(ctx);
  ctx.wakeWorkers = coalescedWake(restarted);
  report(
    '  then the worker, per create',
    await perRequest(async () => {
      await restarted.start();
      await waitFor(async () => (await backlog()) === 0, 60_000, 'the worker to drain');
      await restarted.stop();
    }),
  );
  report(
    'GET /v1/support/tickets?limit=50',
    await perRequest(async () => {
      for (let i = 0; i < REQUESTS; i++) {
        const response = await server.app.inject({ url: '/v1/support/tickets?limit=50', headers });
        if (response.statusCode !== 200) throw new Error(`list answered ${response.statusCode}`);
      }
    }),
  );
  await server.close();
}

for (const dialect of TEST_DIALECTS) await countFor(dialect);
