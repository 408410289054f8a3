import type { AuthContext } from '../../identity/auth-context.ts';
import { NOTIFICATION_TYPES } from '../model.ts';
import type { NotificationType } from '../model.ts';
import { inboxOwner } from './deps.ts';
import type { InboxUseCaseDeps } from './deps.ts';

/** The unread count, and per type when asked (every type present, zeros included: one call fills every tab). */
export interface UnreadCounts {
  total: number;
  byType?: Record<NotificationType, number>;
}

/** Counts the caller's unread notifications (archived ones never count). */
export function countUnread(deps: InboxUseCaseDeps) {
  return async function countUnread(auth: AuthContext, byType: boolean): Promise<UnreadCounts> {
    const inbox = deps.inbox(deps.db, inboxOwner(auth));
    if (!byType) return { total: await inbox.unreadCount() };
    const counts = await inbox.unreadByType();
    const perType = Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, counts.get(type) ?? 0])) as Record<
      NotificationType,
      number
    >;
    return { total: Object.values(perType).reduce((sum, n) => sum + n, 0), byType: perType };
  };
}
