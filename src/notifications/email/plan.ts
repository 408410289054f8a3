import { sql } from 'kysely';
import type { Executor } from '../../jobs/types.ts';
import type { NewJob } from '../../jobs/enqueue.ts';
import { effectiveEmail } from '../preferences/effective.ts';
import { quietHoursRelease } from '../preferences/quiet-hours.ts';
import { loadRecipients } from '../preferences/repository.ts';
import type { Notification } from '../presenter.ts';
import { digestJob, recordEmails } from './queue.ts';
import type { NewEmail } from './queue.ts';
import { subjectOf } from './templates.ts';

/** How many emails of one type one user gets per window before the rest wait for a digest. */
export interface EmailPlanPolicy {
  ratePerHour: number;
}

/** NOTIFICATION_EMAIL_RATE_LIMIT's default. */
export const DEFAULT_EMAIL_PLAN_POLICY: EmailPlanPolicy = { ratePerHour: 10 };

/** The storm-control window. */
export const RATE_WINDOW_MS = 3_600_000;

const pairKey = (userId: string, type: string) => `${userId}\u0000${type}`;

/**
 * Decides, inside the transaction that created or updated the notifications, which of them also
 * go out by email (preferences, quiet hours, storm control) and queues those sends.
 *
 * Set-based whatever the fan-out: one query for the recipients (address, state, own choices,
 * tenant defaults, quiet hours), one for their recent email counts, then batched inserts and one
 * job batch. An email goes when the type's effective choice is on for an active user; during the
 * user's quiet hours it waits for the window's end (`send_after`) unless the notification is
 * critical; beyond `ratePerHour` emails of one type in the last hour a non-critical one is recorded `suppressed`
 * and the user's digest job (one per user) is scheduled for when the window frees up.
 *
 * Concurrent fan-outs to one user are serialised by deliverNotifications' lock on the user's inbox
 * counter, taken earlier in the same transaction, so the counts read here are exact.
 */
export async function planNotificationEmails(
  trx: Executor,
  notifications: readonly Notification[],
  now: Date,
  policy: EmailPlanPolicy = DEFAULT_EMAIL_PLAN_POLICY,
): Promise<void> {
  if (notifications.length === 0) return;
  const recipients = await loadRecipients(
    trx,
    notifications.map((n) => n.user_id),
  );
  const wanted = notifications.filter((n) => {
    const recipient = recipients.get(n.user_id);
    return recipient?.active === true && effectiveEmail(n.type, recipient.own, recipient.tenant).enabled;
  });
  if (wanted.length === 0) return;

  const windowStart = new Date(now.getTime() - RATE_WINDOW_MS).toISOString();
  const users = [...new Set(wanted.map((n) => n.user_id))];
  const sent = new Map<string, { count: number; oldest: string }>();
  for (let start = 0; start < users.length; start += 5_000) {
    const rows = await trx
      .selectFrom('notification_emails')
      .select(['user_id', 'type', sql<number>`count(*)`.as('count'), sql<string>`min(created_at)`.as('oldest')])
      .where('user_id', 'in', users.slice(start, start + 5_000))
      .where('kind', '=', 'notification')
      .where('status', '!=', 'suppressed')
      .where('created_at', '>', windowStart)
      .groupBy(['user_id', 'type'])
      .execute();
    for (const row of rows) sent.set(pairKey(row.user_id, row.type), { count: Number(row.count), oldest: row.oldest });
  }

  const emails: NewEmail[] = [];
  const digestAt = new Map<string, number>();
  for (const notification of wanted) {
    const recipient = recipients.get(notification.user_id);
    if (!recipient) continue;
    const key = pairKey(notification.user_id, notification.type);
    const window = sent.get(key) ?? { count: 0, oldest: now.toISOString() };
    const base = {
      customer_id: notification.customer_id,
      user_id: notification.user_id,
      notification_id: notification.id,
      type: notification.type,
      kind: 'notification',
      to_address: recipient.email,
      subject: subjectOf(notification.title, notification.priority),
    };
    // A critical email is never held back for a digest: it is what storm control must not hide.
    if (window.count >= policy.ratePerHour && notification.priority !== 'critical') {
      const frees = Date.parse(window.oldest) + RATE_WINDOW_MS;
      digestAt.set(notification.user_id, Math.max(digestAt.get(notification.user_id) ?? 0, frees));
      emails.push({
        ...base,
        status: 'suppressed',
        send_after: now.toISOString(),
        detail: `over ${policy.ratePerHour} ${notification.type} emails per hour: goes in a digest`,
      });
      continue;
    }
    sent.set(key, { count: window.count + 1, oldest: window.oldest });
    const release = notification.priority === 'critical' ? now : quietHoursRelease(recipient.quietHours, now);
    emails.push({
      ...base,
      status: 'queued',
      send_after: release.toISOString(),
      ...(release.getTime() > now.getTime() ? { detail: 'quiet hours: deferred to the end of the window' } : {}),
    });
  }
  const digests: NewJob[] = [...digestAt].map(([userId, at]) => digestJob(userId, new Date(at)));
  await recordEmails(trx, emails, now, digests);
}

/** The policy of the configuration (NOTIFICATION_EMAIL_RATE_LIMIT), for `DeliveryDeps.emailPolicy`. */
export function emailPolicyOf(config: { email: { ratePerHour: number } }): EmailPlanPolicy {
  return { ratePerHour: config.email.ratePerHour };
}
