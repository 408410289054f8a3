/**
 * Writing emails to the send log: the `notification_emails` row, its first attempt-log entry
 * (`queued` or `suppressed`) and, for a queued one, its durable send job — all in the caller's
 * transaction, in a few set-based statements however many emails there are.
 */
import type { Insertable } from 'kysely';
import { uuidv7 } from '../../database/ids.ts';
import { enqueueJobs } from '../../jobs/enqueue.ts';
import type { NewJob } from '../../jobs/enqueue.ts';
import type { Executor } from '../../jobs/types.ts';
import type { NotificationEmailId } from '../ids.ts';
import type { NotificationEmailAttemptsTable, NotificationEmailsTable } from '../tables.ts';

/** The job sending one email. */
export const SEND_EMAIL_JOB = 'notifications.email.send';
/** The job gathering a user's suppressed emails into one digest. */
export const DIGEST_JOB = 'notifications.email.digest';

/**
 * Wait before each attempt (index n: before attempt n + 1): nine attempts over about 32 minutes,
 * quick at first for a blip, then spaced for a server that is down for a while.
 */
export const EMAIL_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  0,
  10_000,
  30_000,
  60_000,
  2 * 60_000,
  4 * 60_000,
  6 * 60_000,
  8 * 60_000,
  10 * 60_000,
]);

/** Payload of `notifications.email.send`. */
export interface SendEmailPayload {
  emailId: NotificationEmailId;
}

/** Payload of `notifications.email.digest`. */
export interface DigestPayload {
  userId: string;
}

/** The send job of one email, not before `runAt`. */
export function sendEmailJob(emailId: NotificationEmailId, runAt: Date): NewJob {
  const payload: SendEmailPayload = { emailId };
  return {
    name: SEND_EMAIL_JOB,
    payload,
    runAt,
    maxAttempts: EMAIL_RETRY_SCHEDULE_MS.length,
    uniqueKey: `notif-email:${emailId}`,
  };
}

/** The digest job of one user: one pending per user, however many emails it will summarise. */
export function digestJob(userId: string, runAt: Date): NewJob {
  const payload: DigestPayload = { userId };
  return { name: DIGEST_JOB, payload, runAt, uniqueKey: `notif-digest:${userId}` };
}

/** An email to record; `status` is `queued` (a send job follows) or `suppressed` (storm control). */
export type NewEmail = Omit<
  Insertable<NotificationEmailsTable>,
  'id' | 'attempts' | 'message_id' | 'last_error' | 'created_at' | 'updated_at'
> & { status: 'queued' | 'suppressed'; detail?: string };

/** Rows per INSERT: 15 columns keeps 1,000 rows under SQLite's bound-parameter limit. */
const INSERT_CHUNK = 1_000;

/**
 * Records the emails, logs their first state and enqueues a send job per queued one (plus any
 * `extraJobs`, such as digests) in one batch. Returns the new ids in input order.
 */
export async function recordEmails(
  trx: Executor,
  emails: readonly NewEmail[],
  now: Date,
  extraJobs: readonly NewJob[] = [],
): Promise<NotificationEmailId[]> {
  const iso = now.toISOString();
  const rows: Insertable<NotificationEmailsTable>[] = [];
  const log: Insertable<NotificationEmailAttemptsTable>[] = [];
  const jobs: NewJob[] = [];
  for (const email of emails) {
    const id = uuidv7(now.getTime()) as NotificationEmailId;
    const { detail, ...columns } = email;
    rows.push({ ...columns, id, attempts: 0, message_id: null, last_error: null, created_at: iso, updated_at: iso });
    log.push({
      id: uuidv7(now.getTime()),
      email_id: id,
      attempt: 0,
      status: email.status,
      smtp_code: null,
      detail: detail ?? null,
      created_at: iso,
    });
    if (email.status === 'queued') jobs.push(sendEmailJob(id, new Date(email.send_after)));
  }
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await trx
      .insertInto('notification_emails')
      .values(rows.slice(start, start + INSERT_CHUNK))
      .execute();
    await trx
      .insertInto('notification_email_attempts')
      .values(log.slice(start, start + INSERT_CHUNK))
      .execute();
  }
  await enqueueJobs(trx, [...jobs, ...extraJobs], now);
  return rows.map((row) => row.id);
}
