/**
 * Test wiring for notification suites: a real server, a worker with every real processor and the
 * notification jobs (woken in-process), and helpers to seed an inbox and wait for the outbox.
 */
import type { Clock } from '../../config/clock.ts';
import type { DialectName } from '../../database/adapter.ts';
import { DISPATCH_JOB } from '../../events/outbox.ts';
import { createEventDispatcher } from '../../events/processors.ts';
import type { UserId } from '../../identity/tables.ts';
import { combineJobHandlers, JobRunner } from '../../jobs/index.ts';
import { eventProcessors } from '../../server/worker.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { waitFor } from '../../testing/wait.ts';
import { deliverNotifications } from '../deliver.ts';
import type { NotificationDraft } from '../deliver.ts';
import { notificationJobs } from '../jobs.ts';

/** A server plus an in-process worker. */
export interface NotificationHarness {
  server: TestServer;
  runner: JobRunner;
  close(): Promise<void>;
}

/** Starts server and worker. */
export async function startHarness(
  dialect: DialectName,
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<NotificationHarness> {
  const server = await startTestServer(dialect, options);
  const runner = new JobRunner({
    handle: server.ctx.database,
    handlers: combineJobHandlers(createEventDispatcher(eventProcessors(server.ctx)), notificationJobs(server.ctx)),
    clock: server.ctx.clock,
    pollIntervalMs: 10,
    concurrency: 16,
    stopGraceMs: 2_000,
  });
  server.ctx.wakeWorkers = () => runner.wake();
  await runner.start();
  return {
    server,
    runner,
    close: async () => {
      await runner.stop();
      await server.close();
    },
  };
}

/** Waits until no event dispatch is due: every event emitted so far has reached its processors. */
export async function waitForEvents(server: TestServer, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () =>
      (
        await server.ctx.database.db
          .selectFrom('jobs')
          .select('id')
          .where('name', '=', DISPATCH_JOB)
          .where('run_at', '<=', server.ctx.clock().toISOString())
          .execute()
      ).length === 0,
    timeoutMs,
    'due event dispatches to finish',
  );
}

/** The notifications stored for a user, newest activity first. */
export function notificationsOf(server: TestServer, userId: string) {
  return server.ctx.database.db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId as UserId)
    .orderBy('activity_seq', 'desc')
    .execute();
}

let seeded = 0;

/** Gives a user notifications through the one write path (as rules would). */
export async function seedNotifications(
  server: TestServer,
  userId: string,
  customerId: string | null,
  count: number,
  overrides: Partial<NotificationDraft> = {},
) {
  const drafts: NotificationDraft[] = Array.from({ length: count }, () => ({
    userId: userId as UserId,
    customerId,
    type: 'informational',
    priority: 'low',
    title: `Seeded ${seeded}`,
    body: 'body',
    actionUrl: null,
    groupKey: null,
    sourceEventId: `seed-${seeded++}`,
    ...overrides,
  }));
  return server.ctx.database.db
    .transaction()
    .execute((trx) => deliverNotifications(trx, drafts, { now: server.ctx.clock(), liveFeed: server.ctx.liveFeed }));
}
