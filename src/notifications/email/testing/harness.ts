/**
 * Test wiring for notification email: a real server whose mail goes to a loopback SMTP sink, a
 * worker running the email jobs on the server's (injected) clock, and helpers to notify a user and
 * to wait until no email work is due.
 */
import type { Clock } from '../../../config/clock.ts';
import type { DialectName } from '../../../database/adapter.ts';
import type { UserId } from '../../../identity/tables.ts';
import { combineJobHandlers, JobRunner } from '../../../jobs/index.ts';
import { startTestServer } from '../../../testing/server.ts';
import type { TestServer } from '../../../testing/server.ts';
import { waitFor } from '../../../testing/wait.ts';
import { deliverNotifications } from '../../deliver.ts';
import type { NotificationDraft } from '../../deliver.ts';
import { emailJobs, emailSender } from '../jobs.ts';
import { emailPolicyOf } from '../plan.ts';
import { DIGEST_JOB, SEND_EMAIL_JOB } from '../queue.ts';
import { startSmtpSink } from './smtp-sink.ts';
import type { SmtpSink } from './smtp-sink.ts';

export const TEST_PUBLIC_URL = 'https://portal.example.test';

export interface EmailHarness {
  server: TestServer;
  sink: SmtpSink;
  runner: JobRunner;
  /** Delivers drafts through the one write path (as the rules do), on the server's clock. */
  notify(drafts: Array<Partial<NotificationDraft> & { userId: string }>): Promise<void>;
  /** Waits until no send or digest job is due by the server's clock (running or pending). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

let sourceCounter = 0;

export async function startEmailHarness(
  dialect: DialectName,
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<EmailHarness> {
  const sink = await startSmtpSink();
  const server = await startTestServer(dialect, {
    env: {
      SMTP_URL: sink.url,
      PUBLIC_URL: TEST_PUBLIC_URL,
      MAIL_FROM: 'SecureBase <notify@securebase.test>',
      ...options.env,
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const sender = emailSender(server.ctx);
  const runner = new JobRunner({
    handle: server.ctx.database,
    handlers: combineJobHandlers(emailJobs(sender)),
    clock: server.ctx.clock,
    pollIntervalMs: 10,
    concurrency: 16,
    stopGraceMs: 2_000,
  });
  server.ctx.wakeWorkers = () => runner.wake();
  await runner.start();
  const ctx = server.ctx;
  return {
    server,
    sink,
    runner,
    async notify(drafts) {
      const full: NotificationDraft[] = drafts.map((draft) => ({
        customerId: null,
        type: 'support',
        priority: 'medium',
        title: 'Ticket SB-1 updated',
        body: 'Something happened.',
        actionUrl: '/support/SB-1',
        groupKey: null,
        sourceEventId: `evt-test-${++sourceCounter}`,
        ...draft,
        userId: draft.userId as UserId,
      }));
      await ctx.database.db.transaction().execute((trx) =>
        deliverNotifications(trx, full, {
          now: ctx.clock(),
          liveFeed: ctx.liveFeed,
          emailPolicy: emailPolicyOf(ctx.config),
        }),
      );
      runner.wake();
    },
    async settle() {
      runner.wake();
      await waitFor(
        async () =>
          (
            await ctx.database.db
              .selectFrom('jobs')
              .select('id')
              .where('name', 'in', [SEND_EMAIL_JOB, DIGEST_JOB])
              .where('status', '!=', 'dead')
              .where('run_at', '<=', ctx.clock().toISOString())
              .execute()
          ).length === 0,
        15_000,
        'due email jobs to finish',
      );
    },
    async close() {
      await runner.stop();
      sender.close();
      await server.close();
      await sink.close();
    },
  };
}
