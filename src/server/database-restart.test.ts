import assert from 'node:assert/strict';
import { createMemoryLiveFeed } from '../realtime/live-feed.ts';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { systemClock } from '../config/clock.ts';
import { loadConfig } from '../config/config.ts';
import { createKeyRing } from '../crypto/key-ring.ts';
import { openDatabase } from '../database/connection.ts';
import { createIdentityService } from '../identity/service.ts';
import { waitFor } from '../jobs/testing/helpers.ts';
import type { AppContext } from '../runtime/context.ts';
import { freePort, privatePostgresUnavailable, startPrivatePostgres } from '../testing/private-postgres.ts';
import { buildApp } from './app.ts';
import { openRuntime } from './runtime.ts';
import { createWorker } from './worker.ts';

/** A pino logger whose lines the test can read back. */
function capturedLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
  );
  return { logger, lines };
}

/** Clients creating tickets in a loop, sorting every answer: created, 503 as specified, or anything else. */
function ticketLoad(baseUrl: string, token: string, clients: number) {
  const created: string[] = [];
  const unavailable: number[] = [];
  const unexpected: string[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      try {
        const response = await fetch(`${baseUrl}/v1/support/tickets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            subject: 'Database restart',
            description: 'A ticket created while PostgreSQL restarts.',
          }),
        });
        const body = (await response.json()) as { id?: string; status?: number };
        if (response.status === 201 && body.id) created.push(body.id);
        else if (
          response.status === 503 &&
          response.headers.get('retry-after') === '5' &&
          response.headers.get('content-type')?.startsWith('application/problem+json') &&
          body.status === 503
        ) {
          unavailable.push(Date.now());
        } else unexpected.push(`${response.status} ${JSON.stringify(body)}`);
      } catch (error) {
        unexpected.push(`no answer: ${String(error)}`);
      }
      // Paces the clients so an outage's fast 503s do not starve the rest of the machine.
      await sleep(5);
    }
  };
  const done = Promise.all(Array.from({ length: clients }, client));
  return {
    created,
    unavailable,
    unexpected,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

const skip = privatePostgresUnavailable();

describe('an API whose PostgreSQL cannot be reached', () => {
  it('answers 503 problems with Retry-After, and /readyz 503', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'securebase-nodb-'));
    const config = loadConfig({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
      SECUREBASE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir, poolSize: 2 });
    const logger = capturedLogger();
    const app = await buildApp({
      config,
      database,
      clock: systemClock,
      logger: logger.logger,
      keyRing: createKeyRing(randomBytes(32)),
      liveFeed: createMemoryLiveFeed(),
      wakeWorkers: () => {},
    });
    try {
      for (let n = 0; n < 3; n += 1) {
        const response = await app.inject({
          method: 'GET',
          url: '/v1/support/tickets',
          headers: { authorization: 'Bearer sb_live_unknown' },
        });
        assert.equal(response.statusCode, 503);
        assert.equal(response.headers['retry-after'], '5');
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        assert.equal(
          response.json<{ type: string }>().type,
          'https://docs.securebase.io/problems/database_unavailable',
        );
      }
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
      assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      assert.equal(logger.lines.filter((line) => line.level >= 40).length, 1, 'one log line, not one per request');
    } finally {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a PostgreSQL restart under load', () => {
  it(
    'leaves the API and the worker running: 503 during the outage, every committed event processed after',
    { skip: skip ?? false, timeout: 900_000 },
    async () => {
      const cluster = await startPrivatePostgres();
      const dataDir = mkdtempSync(join(tmpdir(), 'securebase-restart-'));
      const contexts: AppContext[] = [];
      // Stopped in reverse order even when an assertion fails, so no timer keeps the test process alive.
      const stops: Array<() => Promise<unknown>> = [];
      try {
        const config = loadConfig({
          DATABASE_URL: cluster.url,
          SECUREBASE_DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          RATE_LIMIT_PER_HOUR: 'standard=100000000,fintech=100000000,healthcare=100000000,government=100000000',
        });
        // The API and the worker as `securebase serve --no-worker` and `securebase worker` build them.
        const apiLog = capturedLogger();
        const workerLog = capturedLogger();
        const api = await openRuntime(config, apiLog.logger);
        contexts.push(api);
        const worker = await openRuntime(config, workerLog.logger);
        contexts.push(worker);
        const app = await buildApp(api);
        stops.push(() => app.close());
        await app.listen({ host: '127.0.0.1', port: 0 });
        const address = app.server.address();
        const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
        const runner = createWorker(worker);
        stops.push(() => runner.stop());
        await runner.start();
        const identity = createIdentityService({
          db: api.database.db,
          clock: api.clock,
          sessionTtlHours: config.sessionTtlHours,
          liveFeed: api.liveFeed,
        });
        const tenant = await identity.createTenant({
          name: 'Restart Ltd',
          tier: 'standard',
          adminEmail: 'owner@restart.test',
          adminPassword: 'restart-password-0123',
        });

        const ready = async () => (await fetch(`${baseUrl}/readyz`)).status;
        const load = ticketLoad(baseUrl, tenant.apiKey.key, 4);
        try {
          for (const mode of ['fast', 'immediate'] as const) {
            const before = load.created.length;
            await waitFor(() => load.created.length >= before + 20, 120_000, `tickets created before the ${mode} stop`);
            await cluster.stop(mode);
            const stoppedAt = load.unavailable.length;
            await waitFor(() => load.unavailable.length > stoppedAt, 120_000, `503 answers after the ${mode} stop`);
            assert.equal(await ready(), 503, '/readyz while the database is down');
            await cluster.start();
            await waitFor(async () => (await ready()) === 200, 120_000, `/readyz 200 after the ${mode} restart`);
            const after = load.created.length;
            await waitFor(
              () => load.created.length >= after + 20,
              120_000,
              `tickets created after the ${mode} restart`,
            );
            await waitFor(() => runner.listening, 120_000, `the LISTEN connection after the ${mode} restart`);
          }
        } finally {
          await load.stop();
        }
        assert.deepEqual(load.unexpected, [], 'every answer is 201 or a 503 problem with Retry-After');

        const db = api.database.db;
        const remaining = async () =>
          (await db.selectFrom('jobs').select(['name', 'status']).where('name', '=', 'events.dispatch').execute())
            .length;
        await waitFor(async () => (await remaining()) === 0, 300_000, 'every dispatch job to be processed');
        assert.deepEqual(
          await db.selectFrom('jobs').select(['name', 'last_error']).where('status', '=', 'dead').execute(),
          [],
        );
        const ticketEvents = await db
          .selectFrom('events')
          .select('data')
          .where('type', '=', 'ticket.created')
          .execute();
        const evented = new Set(
          ticketEvents.map((row) => (JSON.parse(row.data) as { ticket: { id: string } }).ticket.id),
        );
        assert.deepEqual(
          load.created.filter((id) => !evented.has(id)),
          [],
          'every created ticket has its event',
        );

        // One line per outage and process, not one per request or poll (two outages, a few lines each).
        const noisy = (lines: Array<{ level: number }>) => lines.filter((line) => line.level >= 40).length;
        assert.ok(noisy(workerLog.lines) <= 40, `worker warnings: ${noisy(workerLog.lines)}`);
        assert.ok(noisy(apiLog.lines) <= 40, `API warnings: ${noisy(apiLog.lines)}`);
        assert.deepEqual(
          apiLog.lines.filter((line) => line.msg === 'unhandled error'),
          [],
        );
      } finally {
        for (const stop of stops.reverse()) await stop().catch(() => {});
        for (const ctx of contexts) await ctx.database.close().catch(() => {});
        await cluster.destroy();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
