/**
 * The send path: the `notifications.email.send` job renders one logged email and hands it to the
 * mailer (outside any transaction), then records the outcome and the attempt in one transaction
 * with the job's completion. 4xx replies and network errors are retried on EMAIL_RETRY_SCHEDULE_MS;
 * a 5xx reply is permanent. The `notifications.email.digest` job turns a user's suppressed emails
 * into one digest email, sent through the same path.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../config/clock.ts';
import type { KeyRing } from '../../crypto/key-ring.ts';
import { uuidv7 } from '../../database/ids.ts';
import type { Database } from '../../database/schema.ts';
import type { UserId } from '../../identity/tables.ts';
import { PermanentFailure, RetryLater } from '../../jobs/types.ts';
import type { ClaimedJob, Executor, JobContext, JobHandler } from '../../jobs/types.ts';
import type { NotificationEmailId } from '../ids.ts';
import type { NotificationType } from '../model.ts';
import { quietHoursRelease } from '../preferences/quiet-hours.ts';
import { loadRecipients } from '../preferences/repository.ts';
import type { NotificationEmailStatus, NotificationEmailsTable } from '../tables.ts';
import { DIGEST_JOB, EMAIL_RETRY_SCHEDULE_MS, recordEmails, SEND_EMAIL_JOB } from './queue.ts';
import type { DigestPayload, SendEmailPayload } from './queue.ts';
import { absoluteLink, digestEmail, notificationEmail, testEmail } from './templates.ts';
import type { RenderedEmail } from './templates.ts';
import { classifySmtpError } from './transport.ts';
import type { Mailer, OutgoingMail } from './transport.ts';
import { signUnsubscribeToken } from './unsubscribe-token.ts';

export interface EmailSenderOptions {
  db: Kysely<Database>;
  clock: Clock;
  keyRing: KeyRing;
  mailer: Mailer;
  /** Base of every link in a mail (PUBLIC_URL). */
  publicUrl: string;
  from: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  schedule?: readonly number[];
  /** Called after a commit that enqueued jobs (a digest's send), so an in-process worker starts at once. */
  onEnqueued?: () => void;
}

/** The route of the portal's notification settings, linked from every footer. */
const PREFERENCES_ROUTE = '/settings/notifications';
/** The portal's inbox, linked from digests. */
const INBOX_ROUTE = '/notifications';

/** The unsubscribe endpoint's URL for a token (the List-Unsubscribe target and the footer link). */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  const url = new URL('/v1/notifications/unsubscribe', publicUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

type EmailRow = NotificationEmailsTable;

function isSendPayload(value: unknown): value is SendEmailPayload {
  return typeof (value as SendEmailPayload | null)?.emailId === 'string';
}

function isDigestPayload(value: unknown): value is DigestPayload {
  return typeof (value as DigestPayload | null)?.userId === 'string';
}

/** The send and digest job handlers over one mailer. */
export function createEmailSender(options: EmailSenderOptions): {
  handlers: Record<string, JobHandler>;
  /** Renders and sends one logged email now, recording the attempt (the send job's body). */
  sendNow(
    emailId: NotificationEmailId,
    attempt: number,
    finish?: (trx: Transaction<Database>) => Promise<void>,
  ): Promise<void>;
  /** Closes the mailer's pooled connections. */
  close(): void;
} {
  const { db, clock, keyRing, mailer, publicUrl, from } = options;
  const schedule = options.schedule ?? EMAIL_RETRY_SCHEDULE_MS;
  const domain = /@([A-Za-z0-9.-]+)>?$/.exec(from)?.[1] ?? 'localhost';
  const link = (route: string) => new URL(route, publicUrl).toString();

  /** The digest's items: the user's suppressed emails since the previous digest, up to this one's creation. */
  async function digestItems(row: EmailRow) {
    const previous = await db
      .selectFrom('notification_emails')
      .select('created_at')
      .where('user_id', '=', row.user_id)
      .where('kind', '=', 'digest')
      .where('created_at', '<', row.created_at)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return db
      .selectFrom('notification_emails as e')
      .leftJoin('notifications as n', 'n.id', 'e.notification_id')
      .select(['e.type', 'e.subject', 'e.created_at', 'n.action_url'])
      .where('e.user_id', '=', row.user_id)
      .where('e.kind', '=', 'notification')
      .where('e.status', '=', 'suppressed')
      .where('e.created_at', '<=', row.created_at)
      .$if(previous !== undefined, (q) => q.where('e.created_at', '>', previous?.created_at as string))
      .orderBy('e.created_at')
      .limit(200)
      .execute();
  }

  /** The message for a logged email, or null when what it was about is gone. */
  async function compose(row: EmailRow): Promise<OutgoingMail | null> {
    const now = clock();
    let rendered: RenderedEmail;
    const unsubscribeFor = (types: NotificationType[]) =>
      unsubscribeUrl(publicUrl, signUnsubscribeToken(keyRing, { userId: row.user_id, types }, now));
    let target = unsubscribeFor([row.type]);
    if (row.kind === 'notification') {
      const notification = row.notification_id
        ? await db.selectFrom('notifications').selectAll().where('id', '=', row.notification_id).executeTakeFirst()
        : undefined;
      if (!notification) return null;
      rendered = notificationEmail({
        type: notification.type,
        priority: notification.priority,
        title: notification.title,
        body: notification.body,
        actionUrl: absoluteLink(publicUrl, notification.action_url),
        groupCount: notification.group_count,
        unsubscribeUrl: target,
        preferencesUrl: link(PREFERENCES_ROUTE),
      });
    } else if (row.kind === 'digest') {
      const items = await digestItems(row);
      if (items.length === 0) return null;
      target = unsubscribeFor([...new Set(items.map((item) => item.type))]);
      rendered = digestEmail({
        items: items.map((item) => ({
          type: item.type,
          title: item.subject,
          createdAt: item.created_at,
          actionUrl: absoluteLink(publicUrl, item.action_url),
        })),
        inboxUrl: link(INBOX_ROUTE),
        unsubscribeUrl: target,
        preferencesUrl: link(PREFERENCES_ROUTE),
      });
    } else {
      const user = await db.selectFrom('users').select('name').where('id', '=', row.user_id).executeTakeFirst();
      rendered = testEmail({
        name: user?.name ?? row.to_address,
        sentAt: row.created_at,
        unsubscribeUrl: target,
        preferencesUrl: link(PREFERENCES_ROUTE),
      });
    }
    return {
      from,
      to: row.to_address,
      subject: row.kind === 'notification' ? row.subject : rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: `<${row.id}@${domain}>`,
      headers: {
        'List-Unsubscribe': `<${target}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Auto-Submitted': 'auto-generated',
      },
    };
  }

  async function record(
    trx: Executor,
    row: EmailRow,
    attempt: number,
    change: { status: NotificationEmailStatus; messageId?: string; error?: string | null; code?: number | null },
  ) {
    const now = clock().toISOString();
    await trx
      .updateTable('notification_emails')
      .set({
        status: change.status,
        attempts: attempt,
        ...(change.messageId ? { message_id: change.messageId } : {}),
        last_error: change.error ?? null,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
    await trx
      .insertInto('notification_email_attempts')
      .values({
        id: uuidv7(clock().getTime()),
        email_id: row.id,
        attempt,
        status: change.status === 'queued' ? 'failed' : change.status,
        smtp_code: change.code ?? null,
        detail: change.error ?? null,
        created_at: now,
      })
      .execute();
  }

  async function sendNow(
    emailId: NotificationEmailId,
    attempt: number,
    finish: (trx: Transaction<Database>) => Promise<void> = async () => {},
  ): Promise<void> {
    const row = await db.selectFrom('notification_emails').selectAll().where('id', '=', emailId).executeTakeFirst();
    // Already settled (a redelivered job after a crash past the commit): nothing more to do.
    if (!row || row.status !== 'queued') return;
    const mail = await compose(row);
    if (!mail) {
      await db.transaction().execute(async (trx) => {
        await record(trx, row, attempt, { status: 'failed', error: 'what the email was about no longer exists' });
        await finish(trx);
      });
      return;
    }
    try {
      const sent = await mailer.send(mail);
      const code = Number(/^(\d{3})/.exec(sent.response)?.[1] ?? NaN);
      await db.transaction().execute(async (trx) => {
        await record(trx, row, attempt, {
          status: 'sent',
          messageId: sent.messageId,
          code: Number.isNaN(code) ? null : code,
          error: null,
        });
        await finish(trx);
      });
    } catch (error) {
      const failure = classifySmtpError(error);
      const delay = schedule[attempt];
      const last = failure.permanent || delay === undefined;
      await db.transaction().execute(async (trx) => {
        await record(trx, row, attempt, {
          status: last ? 'failed' : 'queued',
          error: failure.message,
          code: failure.code,
        });
      });
      options.logger.warn(
        { emailId, attempt, smtpCode: failure.code, permanent: failure.permanent },
        last ? 'email failed for good' : 'email attempt failed; will retry',
      );
      if (last) throw new PermanentFailure(failure.message);
      throw new RetryLater(delay, failure.message);
    }
  }

  async function sendJob(job: ClaimedJob, ctx: JobContext): Promise<void> {
    if (!isSendPayload(job.payload)) throw new PermanentFailure('payload has no emailId');
    await sendNow(job.payload.emailId, job.attempts, (trx) => ctx.completeWithin(trx));
  }

  async function digest(job: ClaimedJob, ctx: JobContext): Promise<void> {
    if (!isDigestPayload(job.payload)) throw new PermanentFailure('payload has no userId');
    const userId = job.payload.userId as UserId;
    const now = clock();
    const enqueued = await db.transaction().execute(async (trx) => {
      const recipient = (await loadRecipients(trx, [userId])).get(userId);
      const last = await trx
        .selectFrom('notification_emails')
        .select('created_at')
        .where('user_id', '=', userId)
        .where('kind', '=', 'digest')
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      const pending = await trx
        .selectFrom('notification_emails')
        .select(['type'])
        .where('user_id', '=', userId)
        .where('kind', '=', 'notification')
        .where('status', '=', 'suppressed')
        .where('created_at', '<=', now.toISOString())
        .$if(last !== undefined, (q) => q.where('created_at', '>', last?.created_at as string))
        .execute();
      await ctx.completeWithin(trx);
      if (recipient?.active !== true || pending.length === 0) return false;
      const types = [...new Set(pending.map((row) => row.type))];
      await recordEmails(
        trx,
        [
          {
            customer_id: recipient.customerId,
            user_id: userId,
            notification_id: null,
            type: types[0] as NotificationType,
            kind: 'digest',
            to_address: recipient.email,
            subject: `Digest of ${pending.length} notifications`,
            status: 'queued',
            send_after: quietHoursRelease(recipient.quietHours, now).toISOString(),
          },
        ],
        now,
      );
      return true;
    });
    if (enqueued) options.onEnqueued?.();
  }

  return { handlers: { [SEND_EMAIL_JOB]: sendJob, [DIGEST_JOB]: digest }, sendNow, close: () => mailer.close() };
}
