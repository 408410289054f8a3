import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { emitEvent } from '../events/outbox.ts';
import { createEventDispatcher } from '../events/processors.ts';
import { combineJobHandlers, JobRunner } from '../jobs/index.ts';
import { eventProcessors } from '../server/worker.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import { webhookDeliveryEngine, webhookJobs } from './jobs.ts';
import { emit } from './testing/events.ts';
import { LOOPBACK_ENV, tenantWithEndpoint, waitFor } from './testing/harness.ts';
import { startReceiver } from './testing/receiver.ts';
import type { Behaviour } from './testing/receiver.ts';

const fixture = fileURLToPath(new URL('./testing/worker-process.ts', import.meta.url));

function startWorker(env: Record<string, string | undefined>): {
  child: ChildProcess;
  ready: Promise<void>;
  delivered(): number;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...LOOPBACK_ENV, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('READY')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  const delivered = () => Number([...output.matchAll(/DELIVERED (\d+)/g)].at(-1)?.[1] ?? 0);
  return { child, ready, delivered };
}

for (const dialect of TEST_DIALECTS) {
  describe(`a webhook worker killed with kill -9 mid-delivery on ${dialect}`, () => {
    it('loses no message: the delivery is made again after the lease expires', { timeout: 90_000 }, async () => {
      const server = await startTestServer(dialect, { env: LOOPBACK_ENV });
      const receiver = await startReceiver();
      const { child, ready } = startWorker({ ...server.database.env, LEASE_MS: '1000' });
      let runner: JobRunner | null = null;
      try {
        await ready;
        let first = true;
        receiver.on('/crash', (_r, res) => {
          if (first)
            first = false; // the first attempt hangs: the worker dies while waiting
          else res.writeHead(200).end('ok');
        });
        const t = await tenantWithEndpoint(server, receiver.url('/crash'), ['*']);
        const eventId = await emit(server, t.customerId, 'invoice.created', {
          invoice_id: 'inv_9',
          amount: 1,
          currency: 'USD',
          due_date: '2026-12-01',
        });
        await waitFor(() => receiver.at('/crash').length === 1, 30_000, 'the child to send');
        const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        const message = await server.ctx.database.db
          .selectFrom('webhook_messages')
          .selectAll()
          .where('endpoint_id', '=', t.webhookId)
          .executeTakeFirstOrThrow();
        assert.equal(message.status, 'pending', 'the killed attempt has no result');
        const detail = () =>
          request<{ attempts: number; attempt_log: { id: string; attempt: number; outcome: string }[] }>(
            server.baseUrl,
            'GET',
            `/v1/webhooks/${t.webhookId}/deliveries/${message.id}`,
            { token: t.apiKey },
          );
        const killed = (await detail()).body.attempt_log;
        assert.deepEqual(
          killed.map((a) => [a.id, a.attempt, a.outcome]),
          [[receiver.at('/crash')[0]?.headers['x-securebase-delivery'], 1, 'unknown']],
          'the request on the wire is logged',
        );

        const engine = webhookDeliveryEngine(server.ctx);
        runner = new JobRunner({
          handle: server.ctx.database,
          handlers: combineJobHandlers(
            createEventDispatcher(eventProcessors(server.ctx)),
            webhookJobs(server.ctx, engine),
          ),
          leaseMs: 1000,
          pollIntervalMs: 20,
          clock: server.ctx.clock,
        });
        await runner.start();
        await waitFor(() => receiver.at('/crash').length === 2, 20_000, 'the redelivery');
        await waitFor(
          async () =>
            (
              await server.ctx.database.db
                .selectFrom('webhook_messages')
                .select('status')
                .where('id', '=', message.id)
                .executeTakeFirstOrThrow()
            ).status === 'delivered',
          10_000,
          'delivered',
        );
        const [a, b] = receiver.at('/crash');
        assert.equal(a?.headers['webhook-id'], eventId);
        assert.equal(b?.headers['webhook-id'], eventId, 'same webhook-id: receivers deduplicate');
        const list = await request<{ deliveries: { attempts: number }[] }>(
          server.baseUrl,
          'GET',
          `/v1/webhooks/${t.webhookId}/deliveries`,
          { token: t.apiKey },
        );
        assert.equal(list.body.deliveries[0]?.attempts, 1);
        const log = (await detail()).body.attempt_log;
        assert.deepEqual(
          log.map((x) => [x.id, x.attempt, x.outcome]),
          [
            [a?.headers['x-securebase-delivery'], 1, 'unknown'],
            [b?.headers['x-securebase-delivery'], 1, 'delivered'],
          ],
          'both requests sent are logged',
        );
        const stats = await request<{
          last_24h: { attempts: number; delivered: number; failed: number; unknown: number };
        }>(server.baseUrl, 'GET', `/v1/webhooks/${t.webhookId}/stats`, { token: t.apiKey });
        assert.deepEqual(stats.body.last_24h, {
          ...stats.body.last_24h,
          attempts: 2,
          delivered: 1,
          failed: 0,
          unknown: 1,
        });
        await engine.close();
      } finally {
        child.kill('SIGKILL');
        await runner?.stop();
        await receiver.close();
        await server.close();
      }
    });
  });
}

if (TEST_DIALECTS.includes('postgres')) {
  describe('two webhook worker processes on postgres', () => {
    // Two child processes start through tsx: on a loaded machine that alone can take a minute.
    it('never send the same attempt twice', { timeout: 240_000 }, async () => {
      const server = await startTestServer('postgres', { env: LOOPBACK_ENV });
      const receiver = await startReceiver();
      // Each worker has at most MAX_IN_FLIGHT requests open per endpoint: while the receiver holds
      // its answers, more open requests than one worker may have prove both workers are sending.
      const MAX_IN_FLIGHT = 4;
      const oneWorkerAtMost = 2 * MAX_IN_FLIGHT;
      const held: (() => void)[] = [];
      let releasing = false;
      const holdUntilBothSend: Behaviour = (_r, res) => {
        const answer = () => void res.writeHead(200).end('ok');
        if (releasing) return answer();
        held.push(answer);
        if (held.length > oneWorkerAtMost) {
          releasing = true;
          for (const release of held.splice(0)) release();
        }
      };
      for (const path of ['/race-a', '/race-b']) receiver.on(path, holdUntilBothSend);
      const env = { ...server.database.env, MAX_IN_FLIGHT: String(MAX_IN_FLIGHT), WEBHOOK_TIMEOUT_MS: '30000' };
      const workers = [startWorker({ ...env, WORKER_ID: 'one' }), startWorker({ ...env, WORKER_ID: 'two' })];
      try {
        await Promise.all(workers.map((w) => w.ready));
        const t = await tenantWithEndpoint(server, receiver.url('/race-a'), ['*']);
        const second = await request<{ webhook: { id: string } }>(server.baseUrl, 'POST', '/v1/webhooks', {
          token: t.apiKey,
          body: { url: receiver.url('/race-b'), events: ['*'] },
        });
        assert.equal(second.status, 201);
        const EVENTS = 100;
        for (let i = 0; i < EVENTS; i += 50) {
          await server.ctx.database.db.transaction().execute(async (trx) => {
            for (let j = i; j < i + 50; j += 1)
              await emitEvent(
                trx,
                {
                  type: 'usage.threshold_exceeded',
                  customerId: t.customerId,
                  data: { metric: 'api', usage: j, threshold: 1 },
                },
                new Date(),
              );
          });
        }
        // Every delivery job has completed once the workers report as many completions as messages.
        const completed = () => workers.reduce((sum, w) => sum + w.delivered(), 0);
        await waitFor(() => completed() >= 2 * EVENTS, 150_000, 'every delivery job to complete');
        assert.ok(releasing, 'both workers had requests open at once');
        const keys = receiver.received.map((r) => `${r.path} ${String(r.headers['webhook-id'])}`);
        assert.equal(new Set(keys).size, 2 * EVENTS, 'each (event, endpoint) received once');
        assert.equal(keys.length, 2 * EVENTS, 'no duplicate sends');
        const attemptIds = new Set(receiver.received.map((r) => String(r.headers['x-securebase-delivery'])));
        assert.equal(attemptIds.size, 2 * EVENTS);
        const db = server.ctx.database.db;
        const rows = await db
          .selectFrom('webhook_attempts')
          .select(['message_id', 'attempt', 'outcome'])
          .where('endpoint_id', '=', t.webhookId)
          .execute();
        assert.equal(rows.length, EVENTS);
        assert.ok(rows.every((r) => r.outcome === 'delivered'));
        const delivered = await db
          .selectFrom('webhook_messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'delivered')
          .executeTakeFirstOrThrow();
        assert.equal(Number(delivered.n), 2 * EVENTS);
        assert.equal(completed(), 2 * EVENTS, 'no job ran twice');
      } finally {
        for (const w of workers) w.child.kill('SIGKILL');
        await receiver.close();
        await server.close();
      }
    });
  });
}
