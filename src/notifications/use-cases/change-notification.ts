import type { Updateable } from 'kysely';
import { notFound } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { NotificationId } from '../ids.ts';
import type { Notification } from '../presenter.ts';
import { nextSequence } from '../sequence.ts';
import { publishInboxChanges } from '../stream/signal.ts';
import type { NotificationsTable } from '../tables.ts';
import { inboxOwner } from './deps.ts';
import type { InboxUseCaseDeps } from './deps.ts';

/** The state a user may set on one notification; absent fields stay as they are. */
export interface NotificationChange {
  read?: boolean | undefined;
  archived?: boolean | undefined;
}

/**
 * The columns that move for a change at `now`, or null when the notification is already in that
 * state (read stays read with its first `read_at`; a no-op takes no sequence number).
 */
export function plannedChange(
  row: Pick<Notification, 'read_at' | 'archived_at'>,
  change: NotificationChange,
  now: string,
): Pick<Updateable<NotificationsTable>, 'read_at' | 'archived_at'> | null {
  const set: Pick<Updateable<NotificationsTable>, 'read_at' | 'archived_at'> = {};
  if (change.read !== undefined && change.read !== (row.read_at !== null)) set.read_at = change.read ? now : null;
  if (change.archived !== undefined && change.archived !== (row.archived_at !== null))
    set.archived_at = change.archived ? now : null;
  return Object.keys(set).length > 0 ? set : null;
}

/**
 * Marks one of the caller's notifications read or unread, archived or back in the inbox. Another
 * user's notification answers 404 exactly like a missing one. A real change takes the user's next
 * sequence number and is announced to the live streams.
 */
export function changeNotification(deps: InboxUseCaseDeps) {
  return async function changeNotification(
    auth: AuthContext,
    id: NotificationId,
    change: NotificationChange,
  ): Promise<Notification> {
    const userId = inboxOwner(auth);
    return deps.db.transaction().execute(async (trx) => {
      const inbox = deps.inbox(trx, userId);
      const row = await inbox.find(id);
      if (!row) throw notFound('Notification');
      const now = deps.clock().toISOString();
      const planned = plannedChange(row, change, now);
      if (!planned) return row;
      const seq = await nextSequence(trx, userId);
      const updated = await inbox.update(id, { ...planned, change_seq: seq, updated_at: now });
      await publishInboxChanges(trx, deps.liveFeed, [{ userId, seq }]);
      return updated ?? row;
    });
  };
}
