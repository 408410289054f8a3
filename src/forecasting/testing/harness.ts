/**
 * Test wiring for the cost evaluation flow: a real server allowed to reach loopback webhook
 * receivers, with a manual clock, and an in-process worker running every event processor (webhooks,
 * notifications), webhook delivery and the cost evaluation jobs.
 */
import { manualClock } from '../../config/clock.ts';
import type { DialectName } from '../../database/adapter.ts';
import { DISPATCH_JOB } from '../../events/outbox.ts';
import { createEventDispatcher } from '../../events/processors.ts';
import { combineJobHandlers, enqueueJob, JobRunner } from '../../jobs/index.ts';
import { notificationJobs } from '../../notifications/jobs.ts';
import { eventProcessors } from '../../server/worker.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { waitFor } from '../../testing/wait.ts';
import { DELIVER_JOB } from '../../webhooks/delivery-job.ts';
import { webhookDeliveryEngine, webhookJobs } from '../../webhooks/jobs.ts';
import { LOOPBACK_ENV } from '../../webhooks/testing/harness.ts';
import { costEvaluationJobs, DAILY_CHECK_JOB } from '../evaluation/jobs.ts';
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

const WORK = [DATA_CHANGED_JOB, DAILY_CHECK_JOB, DISPATCH_JOB, DELIVER_JOB];

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
