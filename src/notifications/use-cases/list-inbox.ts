import type { AuthContext } from '../../identity/auth-context.ts';
import type { Page } from '../../database/pagination.ts';
import type { Notification } from '../presenter.ts';
import type { InboxFilter } from '../repository.ts';
import { inboxOwner } from './deps.ts';
import type { InboxUseCaseDeps } from './deps.ts';

/** A page of the inbox and the whole inbox's unread count (the bell's number, not the filter's). */
export interface InboxPage extends Page<Notification> {
  unreadCount: number;
}

/**
 * Lists the caller's notifications, newest activity first, and stamps `seen_at` on the returned
 * ones not seen before (the rows come back with it set). Seeing is not a change: it takes no
 * sequence number and sends no live event.
 */
export function listInbox(deps: InboxUseCaseDeps) {
  return async function listInbox(
    auth: AuthContext,
    filter: InboxFilter,
    page: { limit?: number | undefined; cursor?: string | undefined },
  ): Promise<InboxPage> {
    const inbox = deps.inbox(deps.db, inboxOwner(auth));
    const [listed, unreadCount] = await Promise.all([inbox.list(filter, page), inbox.unreadCount()]);
    const unseen = listed.items.filter((row) => row.seen_at === null);
    if (unseen.length > 0) {
      const now = deps.clock().toISOString();
      await inbox.markSeen(
        unseen.map((row) => row.id),
        now,
      );
      for (const row of unseen) row.seen_at = now;
    }
    return { ...listed, unreadCount };
  };
}
