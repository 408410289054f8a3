/** The notification use cases assembled from their dependencies (routes call one method each). */
import { announce } from './use-cases/announce.ts';
import type { AnnounceDeps } from './use-cases/announce.ts';
import { changeNotification } from './use-cases/change-notification.ts';
import { countUnread } from './use-cases/count-unread.ts';
import type { InboxUseCaseDeps } from './use-cases/deps.ts';
import { listInbox } from './use-cases/list-inbox.ts';
import { markRead } from './use-cases/mark-read.ts';

export function createNotificationService(deps: InboxUseCaseDeps & AnnounceDeps) {
  return {
    list: listInbox(deps),
    unreadCount: countUnread(deps),
    markRead: markRead(deps),
    change: changeNotification(deps),
    announce: announce(deps),
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
