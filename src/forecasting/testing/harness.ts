/**
 * Test wiring for the cost product's flows: a real server allowed to reach loopback webhook
 * receivers, with a manual clock, and an in-process worker running every event processor (webhooks,
 * notifications), webhook delivery, billing export imports and the cost evaluation jobs; plus
 * tenants with an endpoint for every event and the signed deliveries it received.
 */
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { manualClock } from '../../config/clock.ts';
import type { DialectName } from '../../database/adapter.ts';
import { DISPATCH_JOB } from '../../events/outbox.ts';
import { createEventDispatcher } from '../../events/processors.ts';
import { combineJobHandlers, enqueueJob, JobRunner } from '../../jobs/index.ts';
import { notificationJobs } from '../../notifications/jobs.ts';
import { eventProcessors } from '../../server/worker.ts';
import { createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { waitFor } from '../../testing/wait.ts';
import { DELIVER_JOB } from '../../webhooks/delivery-job.ts';
import { webhookDeliveryEngine, webhookJobs } from '../../webhooks/jobs.ts';
import { LOOPBACK_ENV } from '../../webhooks/testing/harness.ts';
import type { Receiver } from '../../webhooks/testing/receiver.ts';
import { costEvaluationJobs, DAILY_CHECK_JOB } from '../evaluation/jobs.ts';
import { IMPORT_JOB, importJobs } from '../imports/job.ts';
import { importSpool } from '../imports/spool.ts';
import { DATA_CHANGED_JOB } from '../records/store.ts';

export interface CostHarness {
  server: TestServer;
  clock: ReturnType<typeof manualClock>;
  /** Runs the daily check now (as its periodic slot would) and waits for it and what it emitted. */
  dailyCheck(): Promise<void>;
  /** Moves the clock past the evaluation delay and waits until no evaluation, dispatch or delivery is due. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const WORK = [IMPORT_JOB, DATA_CHANGED_JOB, DAILY_CHECK_JOB, DISPATCH_JOB, DELIVER_JOB];

export async function startCostHarness(dialect: DialectName, start: Date): Promise<CostHarness> {
  const clock = manualClock(start);
  const server = await startTestServer(dialect, { env: LOOPBACK_ENV, clock });
  const engine = webhookDeliveryEngine(server.ctx);
  const runner = new JobRunner({
    handle: server.ctx.database,
    handlers: combineJobHandlers(
      createEventDispatcher(eventProcessors(server.ctx)),
      webhookJobs(server.ctx, engine),
      notificationJobs(server.ctx),
      costEvaluationJobs,
      importJobs({
        db: server.ctx.database.db,
        clock,
        spool: importSpool(server.ctx.config.dataDir),
      }),
    ),
    clock,
    pollIntervalMs: 10,
    concurrency: 16,
    stopGraceMs: 2_000,
  });
  server.ctx.wakeWorkers = () => runner.wake();
  await runner.start();

  const idle = () =>
    waitFor(
      async () =>
        (
          await server.ctx.database.db
            .selectFrom('jobs')
            .select('id')
            .where('name', 'in', WORK)
            .where('status', '!=', 'dead')
            .where('run_at', '<=', clock().toISOString())
            .execute()
        ).length === 0,
      30_000,
      'cost evaluation, dispatches and deliveries to finish',
    );
  const settle = async () => {
    // Evaluation waits 2 s after a write so a burst of writes ends in one run.
    clock.advance(3_000);
    runner.wake();
    await idle();
  };
  return {
    server,
    clock,
    settle,
    dailyCheck: async () => {
      await enqueueJob(
        server.ctx.database.db,
        { name: DAILY_CHECK_JOB, payload: { scheduledFor: clock().toISOString() } },
        clock(),
      );
      runner.wake();
      await idle();
    },
    close: async () => {
      await runner.stop();
      await engine.close();
      await server.close();
    },
  };
}

export interface Delivered {
  type: string;
  data: Record<string, unknown>;
}

/** A tenant whose owner key registered an endpoint for every event. */
export async function tenantWithEndpoint(server: TestServer, receiver: Receiver, path: string) {
  const tenant = await createTenant(server);
  const created = await request<{ secret: string }>(server.baseUrl, 'POST', '/v1/webhooks', {
    token: tenant.apiKey,
    body: { url: receiver.url(path), events: ['*'] },
  });
  assert.equal(created.status, 201, created.text);
  return { ...tenant, secret: created.body.secret };
}

/**
 * Deliveries on a path with their signatures checked by `standardwebhooks`, cost and usage events
 * only (notification.created comes too). The package's `verify` also refuses timestamps five minutes
 * from the wall clock, and these are stamped by the test's manual clock, months away: so the
 * signature is recomputed with the package's `sign` over the received id, timestamp and body.
 */
export function deliveries(receiver: Receiver, path: string, secret: string): Delivered[] {
  const signer = new Webhook(secret);
  return receiver
    .at(path)
    .map((r) => {
      const id = String(r.headers['webhook-id']);
      const timestamp = new Date(Number(r.headers['webhook-timestamp']) * 1000);
      const signatures = String(r.headers['webhook-signature']).split(' ');
      assert.ok(signatures.includes(signer.sign(id, timestamp, r.body)), `a valid signature on ${id}`);
      return JSON.parse(r.body) as Delivered;
    })
    .filter((d) => d.type.startsWith('cost.') || d.type.startsWith('usage.'));
}
