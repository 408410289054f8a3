import { Type } from 'typebox';
import type { Static } from 'typebox';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { NullableString, NullableTimestamp, Timestamp } from '../http/schema-types.ts';
import { NOTIFICATION_PRIORITIES, NOTIFICATION_TYPES } from './model.ts';
import { CUSTOMER_ROLES } from '../identity/permissions.ts';

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

// Requests and responses of the inbox and announcement routes.

/** Most ids one mark-read call takes. */
export const MAX_MARK_READ_IDS = 1_000;

const NotificationId = Type.String({
  format: 'uuid',
  description: 'Notification id',
  examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'],
});

export const NotificationParams = Type.Object({ id: NotificationId }, { additionalProperties: false });

export const InboxQuery = Type.Object(
  {
    type: Type.Optional(NotificationTypeSchema),
    priority: Type.Optional(NotificationPrioritySchema),
    read: Type.Optional(
      Type.Boolean({ description: 'true: only read ones; false: only unread ones; absent: both', examples: [false] }),
    ),
    archived: Type.Optional(
      Type.Boolean({
        description: 'true: only archived ones; false (default): the inbox without them',
        default: false,
        examples: [false],
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const UnreadCount = Type.Integer({ description: 'Unread notifications in the inbox (archived ones never count)' });

export const InboxPage = Type.Object({
  ...PageOf('notifications', NotificationView).properties,
  unread_count: UnreadCount,
});

export const UnreadCountQuery = Type.Object(
  {
    by: Type.Optional(
      Type.Enum(['type'], { description: 'type: also count per notification type (every type, zeros included)' }),
    ),
  },
  { additionalProperties: false },
);

export const UnreadCountView = Type.Object({
  unread_count: UnreadCount,
  by_type: Type.Optional(
    Type.Object(
      Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, Type.Integer({ description: `Unread ${type}` })])),
      { description: 'Unread per type (with `by=type`)' },
    ),
  ),
});

export const MarkReadBody = Type.Object(
  {
    notification_ids: Type.Optional(
      Type.Array(NotificationId, {
        minItems: 1,
        maxItems: MAX_MARK_READ_IDS,
        description: `Ids to mark read (at most ${MAX_MARK_READ_IDS}); ids that are not yours are ignored`,
      }),
    ),
    all: Type.Optional(Type.Literal(true, { description: 'true: mark everything unread in the inbox read' })),
    type: Type.Optional(
      Type.Enum(NOTIFICATION_TYPES, { description: 'With `all`: only this type (one tab of the inbox)' }),
    ),
  },
  { additionalProperties: false, description: 'Either notification_ids or all: true' },
);

export const MarkReadResult = Type.Object({
  marked_read: Type.Integer({ description: 'How many notifications changed from unread to read' }),
  unread_count: UnreadCount,
});

export const ChangeNotificationBody = Type.Object(
  {
    read: Type.Optional(Type.Boolean({ description: 'true: mark read; false: mark unread', examples: [true] })),
    archived: Type.Optional(
      Type.Boolean({ description: 'true: archive; false: back to the inbox', examples: [false] }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AnnouncementBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, description: 'Short title', examples: ['Maintenance tonight'] }),
    body: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'Plain text',
      examples: ['The portal is read-only from 22:00 to 22:30 UTC.'],
    }),
    priority: Type.Optional(NotificationPrioritySchema),
    type: Type.Optional(
      Type.Enum(NOTIFICATION_TYPES, { description: 'Notification type (default informational)', examples: ['system'] }),
    ),
    action_url: Type.Optional(
      Type.String({
        maxLength: 500,
        pattern: '^/(?![/\\\\])',
        description: 'A portal route starting with one /, e.g. /status',
        examples: ['/status'],
      }),
    ),
    customer_id: Type.Optional(Type.String({ maxLength: 100, description: 'The one tenant to tell' })),
    all_tenants: Type.Optional(Type.Literal(true, { description: 'true: tell every active tenant' })),
    roles: Type.Optional(
      Type.Array(Type.Enum(CUSTOMER_ROLES), {
        minItems: 1,
        uniqueItems: true,
        description: 'Only users with these roles (default: every role)',
        examples: [['owner', 'admin']],
      }),
    ),
  },
  { additionalProperties: false, description: 'Exactly one of customer_id or all_tenants' },
);

export const AnnouncementAccepted = Type.Object({
  announcement_id: Type.String({ description: 'The id of the announcement event' }),
  status: Type.Literal('accepted', { description: 'Notifications are being created' }),
});

export const InboxTags = ['notifications'];
