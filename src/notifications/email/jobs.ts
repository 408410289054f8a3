/**
 * The email part of a worker: the send and digest handlers over one pooled mailer, and the sweep
 * of the email log (`server/worker.ts` registers them).
 */
import type { JobHandler, PeriodicJob } from '../../jobs/index.ts';
import type { AppContext } from '../../runtime/context.ts';
import { createEmailSender } from './send.ts';
import type { EmailSenderOptions } from './send.ts';
import { createMailer } from './transport.ts';

/** The job name of the email-log sweep. */
export const EMAIL_RETENTION_JOB = 'notifications.email.retention';
/** How long the email log keeps a sent or failed email and its attempts. */
export const EMAIL_LOG_RETENTION_DAYS = 30;

/** PUBLIC_URL, or the local address when unset. */
export function publicUrlOf(ctx: Pick<AppContext, 'config'>): string {
  return ctx.config.publicUrl ?? `http://localhost:${ctx.config.port}`;
}

/** A sender configured from the context; `overrides` serve tests and the benchmark. */
export function emailSender(ctx: AppContext, overrides: Partial<EmailSenderOptions> = {}) {
  return createEmailSender({
    db: ctx.database.db,
    clock: ctx.clock,
    keyRing: ctx.keyRing,
    mailer:
      overrides.mailer ??
      createMailer({ smtpUrl: ctx.config.email.smtpUrl, dataDir: ctx.config.dataDir, logger: ctx.logger }),
    publicUrl: publicUrlOf(ctx),
    from: ctx.config.email.from,
    logger: ctx.logger,
    onEnqueued: () => ctx.wakeWorkers(),
    ...overrides,
  });
}

function emailRetention(days: number): Record<string, JobHandler> {
  return {
    [EMAIL_RETENTION_JOB]: async (_job, jobCtx) => {
      const before = new Date(jobCtx.now().getTime() - days * 86_400_000).toISOString();
      for (let round = 0; round < 100; round += 1) {
        const old = await jobCtx.db
          .selectFrom('notification_emails')
          .select('id')
          .where('created_at', '<', before)
          .where('status', '!=', 'queued')
          .limit(5_000)
          .execute();
        if (old.length === 0) break;
        const ids = old.map((row) => row.id);
        await jobCtx.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('notification_email_attempts').where('email_id', 'in', ids).execute();
          await trx.deleteFrom('notification_emails').where('id', 'in', ids).execute();
        });
      }
    },
  };
}

/**
 * Job handlers of notification email (send, digest, log sweep) for `combineJobHandlers`. The caller
 * owns `sender` and closes its SMTP pool when the runner stops.
 */
export function emailJobs(sender: { handlers: Record<string, JobHandler> }): Record<string, JobHandler> {
  return { ...sender.handlers, ...emailRetention(EMAIL_LOG_RETENTION_DAYS) };
}

/** Periodic jobs of notification email: the hourly log sweep. */
export const emailPeriodicJobs: readonly PeriodicJob[] = [{ name: EMAIL_RETENTION_JOB, intervalMs: 3_600_000 }];
