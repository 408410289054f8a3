/**
 * The inbox API of notifications.md: list with filters and cursor, unread counts (per type for
 * the tabs), mark-read (ids or all), PATCH and DELETE (archive) of one notification, and staff
 * announcements. Every inbox route works on the caller's own notifications only: another user's
 * id answers 404 exactly like a missing one. Thin: schema → permission → one service call → view.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalidField } from '../errors/app-error.ts';
import { emitEvent } from '../events/outbox.ts';
import { authOf } from '../identity/authenticate.ts';
import type { AppContext } from '../runtime/context.ts';
import type { NotificationId } from './ids.ts';
import {
  AnnouncementAccepted,
  AnnouncementBody,
  ChangeNotificationBody,
  InboxPage,
  InboxQuery,
  InboxTags as TAGS,
  MarkReadBody,
  MarkReadResult,
  NotificationParams,
  UnreadCountQuery,
  UnreadCountView,
  NotificationView,
} from './schemas.ts';
import { presentNotification } from './presenter.ts';
import { inboxRepository } from './repository.ts';
import { createNotificationService } from './service.ts';

const idIn = (params: { id: string }): NotificationId => params.id as NotificationId;

/** Registers the notification routes under the caller's prefix (`/v1`). */
export function notificationRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const service = createNotificationService({
    db: ctx.database.db,
    inbox: inboxRepository,
    clock: ctx.clock,
    liveFeed: ctx.liveFeed,
    emitEvent,
    wakeWorkers: () => ctx.wakeWorkers(),
  });

  return async (app) => {
    app.get(
      '/notifications',
      {
        schema: {
          tags: TAGS,
          operationId: 'listNotifications',
          summary: 'Your notifications, newest activity first; marks the returned ones seen',
          querystring: InboxQuery,
          response: { 200: InboxPage },
        },
        config: { permission: 'notifications:read' },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await service.list(authOf(request), filter, { limit, cursor });
        return {
          notifications: page.items.map(presentNotification),
          unread_count: page.unreadCount,
          next_cursor: page.next_cursor,
          has_more: page.has_more,
        };
      },
    );

    app.get(
      '/notifications/unread-count',
      {
        schema: {
          tags: TAGS,
          operationId: 'countUnreadNotifications',
          summary: 'Your unread count, per type with by=type (one call for every tab)',
          querystring: UnreadCountQuery,
          response: { 200: UnreadCountView },
        },
        config: { permission: 'notifications:read' },
      },
      async (request) => {
        const counts = await service.unreadCount(authOf(request), request.query.by === 'type');
        return { unread_count: counts.total, ...(counts.byType ? { by_type: counts.byType } : {}) };
      },
    );

    app.post(
      '/notifications/mark-read',
      {
        schema: {
          tags: TAGS,
          operationId: 'markNotificationsRead',
          summary: 'Mark notifications read: listed ids (others’ ids are ignored) or all',
          body: MarkReadBody,
          response: { 200: MarkReadResult },
        },
        config: { permission: 'notifications:read' },
      },
      async (request) => {
        const { notification_ids: ids, all, type } = request.body;
        if (ids !== undefined && all !== undefined)
          throw invalidField('notification_ids', 'cannot be given together with all');
        if (ids === undefined && all === undefined)
          throw invalidField('notification_ids', 'is required unless all is true');
        if (type !== undefined && all === undefined) throw invalidField('type', 'is only accepted with all: true');
        const result = await service.markRead(
          authOf(request),
          ids ? { ids: ids as NotificationId[] } : { all: true, type },
        );
        return { marked_read: result.markedRead, unread_count: result.unreadCount };
      },
    );

    app.patch(
      '/notifications/:id',
      {
        schema: {
          tags: TAGS,
          operationId: 'updateNotification',
          summary: 'Mark one of your notifications read or unread, archived or back in the inbox',
          params: NotificationParams,
          body: ChangeNotificationBody,
          response: { 200: NotificationView },
        },
        config: { permission: 'notifications:read' },
      },
      async (request) => presentNotification(await service.change(authOf(request), idIn(request.params), request.body)),
    );

    app.delete(
      '/notifications/:id',
      {
        schema: {
          tags: TAGS,
          operationId: 'archiveNotification',
          summary: 'Archive one of your notifications (it leaves the inbox; list it with archived=true)',
          params: NotificationParams,
          response: { 204: Type.Null({ description: 'Archived' }) },
        },
        config: { permission: 'notifications:read' },
      },
      async (request, reply) => {
        await service.change(authOf(request), idIn(request.params), { archived: true });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/notifications',
      {
        schema: {
          tags: TAGS,
          operationId: 'publishAnnouncement',
          summary: 'Announce to one tenant’s users or every tenant’s (platform admins)',
          body: AnnouncementBody,
          response: { 202: AnnouncementAccepted },
        },
        config: { permission: 'events:publish' },
      },
      async (request, reply) => {
        const { id } = await service.announce(authOf(request), request.body);
        return reply.code(202).send({ announcement_id: id, status: 'accepted' as const });
      },
    );
  };
}
