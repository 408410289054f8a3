import { Type } from 'typebox';
import type { Static } from 'typebox';
import { NullableString, NullableTimestamp, Timestamp } from '../http/schema-types.ts';
import { NOTIFICATION_PRIORITIES, NOTIFICATION_TYPES } from './model.ts';

/** Notification type. */
export const NotificationTypeSchema = Type.Enum(NOTIFICATION_TYPES, {
  description: 'security_alert, billing, compliance, system, informational or support',
  examples: ['support'],
});

/** Notification priority. */
export const NotificationPrioritySchema = Type.Enum(NOTIFICATION_PRIORITIES, {
  description: 'critical, high, medium or low',
  examples: ['high'],
});

/** One notification as its user sees it: in lists, on the live stream and in `notification.created` webhooks. */
export const NotificationView = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Notification id' }),
    customer_id: NullableString('The tenant it concerns (null for a platform announcement to staff)'),
    user_id: Type.String({ description: 'The one user it belongs to' }),
    type: NotificationTypeSchema,
    priority: NotificationPrioritySchema,
    title: Type.String({ description: 'Short title' }),
    body: Type.String({ description: 'Plain-text body' }),
    action_url: NullableString('Portal route to open, e.g. /support/SB-1042'),
    source_event_id: NullableString('The event that last created or updated it'),
    group_key: NullableString('Thread it belongs to (e.g. ticket:…); new activity updates the group'),
    group_count: Type.Integer({ description: 'Activities gathered in the group (1 for a lone notification)' }),
    sequence: Type.Integer({
      description: 'Position in the user’s change stream (the SSE event id of its last change)',
    }),
    created_at: Timestamp('When it was created'),
    updated_at: Timestamp('When it last changed'),
    seen_at: NullableTimestamp('When the user first saw it in a list'),
    read_at: NullableTimestamp('When it was marked read (null: unread)'),
    archived_at: NullableTimestamp('When it was archived (null: in the inbox)'),
  },
  { description: 'A notification' },
);
export type NotificationViewType = Static<typeof NotificationView>;
