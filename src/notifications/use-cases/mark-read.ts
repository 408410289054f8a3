import type { AuthContext } from '../../identity/auth-context.ts';
import type { NotificationId } from '../ids.ts';
import type { NotificationType } from '../model.ts';
import { nextSequence } from '../sequence.ts';
import { publishInboxChanges } from '../stream/signal.ts';
import { inboxOwner } from './deps.ts';
import type { InboxUseCaseDeps } from './deps.ts';

/** Which notifications to mark read: listed ids, or everything unread (optionally of one type). */
export type MarkReadTarget = { ids: readonly NotificationId[] } | { all: true; type?: NotificationType | undefined };

/** How many changed, and the unread count afterwards. */
export interface MarkReadResult {
  markedRead: number;
  unreadCount: number;
}

/**
 * Marks notifications of the caller read. Ids of other users' notifications (or unknown ones)
 * are ignored: the update is bound to the caller, so they are never touched. Every row changed by
 * one call shares ONE new sequence number, announced once to the live streams; a call that
 * changes nothing takes no number.
 */
export function markRead(deps: InboxUseCaseDeps) {
  return async function markRead(auth: AuthContext, target: MarkReadTarget): Promise<MarkReadResult> {
    const userId = inboxOwner(auth);
    return deps.db.transaction().execute(async (trx) => {
      const inbox = deps.inbox(trx, userId);
      const now = deps.clock().toISOString();
      let markedRead = 0;
      if ('ids' in target) {
        const unread = await inbox.unreadAmong([...new Set(target.ids)]);
        if (unread.length > 0) {
          const seq = await nextSequence(trx, userId);
          markedRead = await inbox.markRead(unread, seq, now);
          await publishInboxChanges(trx, deps.liveFeed, [{ userId, seq }]);
        }
      } else if (await inbox.hasUnread(target.type)) {
        const seq = await nextSequence(trx, userId);
        markedRead = await inbox.markAllRead(seq, now, target.type);
        await publishInboxChanges(trx, deps.liveFeed, [{ userId, seq }]);
      }
      return { markedRead, unreadCount: await inbox.unreadCount() };
    });
  };
}
