import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
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

const fixture = fileURLToPath(new URL('./testing/worker-process.ts', import.meta.url));

function startWorker(env: Record<string, string | undefined>): { child: ChildProcess; ready: Promise<void>; delivered(): number } {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, LOG_LEVEL: 'silent', ...LOOPBACK_ENV, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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
          if (first) first = false; // the first attempt hangs: the worker dies while waiting
          else res.writeHead(200).end('ok');
        });
        const t = await tenantWithEndpoint(server, receiver.url('/crash'), ['*']);
        const eventId = await emit(server, t.customerId, 'invoice.created', { invoice_id: 'inv_9', amount: 1, currency: 'USD', due_date: '2026-12-01' });
        await waitFor(() => receiver.at('/crash').length === 1, 30_000, 'the child to send');
        const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        const message = await server.ctx.database.db.selectFrom('webhook_messages').selectAll().where('endpoint_id', '=', t.webhookId).executeTakeFirstOrThrow();
        assert.equal(message.status, 'pending', 'the killed attempt was not recorded');

        const engine = webhookDeliveryEngine(server.ctx);
        runner = new JobRunner({ handle: server.ctx.database, handlers: combineJobHandlers(createEventDispatcher(eventProcessors(server.ctx)), webhookJobs(server.ctx, engine)), leaseMs: 1000, pollIntervalMs: 20, clock: server.ctx.clock });
        await runner.start();
        await waitFor(() => receiver.at('/crash').length === 2, 20_000, 'the redelivery');
        await waitFor(async () => (await server.ctx.database.db.selectFrom('webhook_messages').select('status').where('id', '=', message.id).executeTakeFirstOrThrow()).status === 'delivered', 10_000, 'delivered');
        const [a, b] = receiver.at('/crash');
        assert.equal(a?.headers['webhook-id'], eventId);
        assert.equal(b?.headers['webhook-id'], eventId, 'same webhook-id: receivers deduplicate');
        const list = await request<{ deliveries: { attempts: number }[] }>(server.baseUrl, 'GET', `/v1/webhooks/${t.webhookId}/deliveries`, { token: t.apiKey });
        assert.equal(list.body.deliveries[0]?.attempts, 1);
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
    it('never send the same attempt twice', { timeout: 120_000 }, async () => {
      const server = await startTestServer('postgres', { env: LOOPBACK_ENV });
      const receiver = await startReceiver();
      const workers = [startWorker({ ...server.database.env, WORKER_ID: 'one' }), startWorker({ ...server.database.env, WORKER_ID: 'two' })];
      try {
        await Promise.all(workers.map((w) => w.ready));
        const t = await tenantWithEndpoint(server, receiver.url('/race-a'), ['*']);
        const { request: send } = await import('../testing/http.ts');
        assert.equal((await send(server.baseUrl, 'POST', '/v1/webhooks', { token: t.apiKey, body: { url: receiver.url('/race-b'), events: ['*'] } })).status, 201);
        const EVENTS = 1_000;
        for (let i = 0; i < EVENTS; i += 20) {
          await server.ctx.database.db.transaction().execute(async (trx) => {
            const { emitEvent } = await import('../events/outbox.ts');
            for (let j = i; j < i + 20; j += 1) await emitEvent(trx, { type: 'usage.threshold_exceeded', customerId: t.customerId, data: { metric: 'api', usage: j, threshold: 1 } }, new Date());
          });
        }
        await waitFor(() => receiver.received.length >= 2 * EVENTS, 60_000, 'every delivery');
        await new Promise((resolve) => setTimeout(resolve, 500));
        const keys = receiver.received.map((r) => `${r.path} ${String(r.headers['webhook-id'])}`);
        assert.equal(new Set(keys).size, 2 * EVENTS, 'each (event, endpoint) received once');
        assert.equal(keys.length, 2 * EVENTS, 'no duplicate sends');
        const attemptIds = new Set(receiver.received.map((r) => String(r.headers['x-securebase-delivery'])));
        assert.equal(attemptIds.size, 2 * EVENTS);
        const rows = await server.ctx.database.db.selectFrom('webhook_attempts').select(['message_id', 'attempt']).where('endpoint_id', 'in', [t.webhookId]).execute();
        assert.equal(rows.length, EVENTS);
        const workersUsed = await server.ctx.database.db.selectFrom('webhook_messages').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow();
        assert.equal(Number(workersUsed.n), 2 * EVENTS);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const [first, second] = workers.map((w) => w.delivered());
        assert.ok((first ?? 0) > 0 && (second ?? 0) > 0, `both workers delivered (${first} and ${second})`);
        assert.equal((first ?? 0) + (second ?? 0), 2 * EVENTS);
      } finally {
        for (const w of workers) w.child.kill('SIGKILL');
        await receiver.close();
        await server.close();
      }
    });
  });
}
