/**
 * Announcements (`POST /v1/notifications`): staff publish a `notification.announcement` event and
 * this rule gives every matching user one notification: the users of one tenant, or of every
 * active tenant, optionally only some roles.
 */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { CUSTOMER_ROLES } from '../../identity/permissions.ts';
import { NOTIFICATION_PRIORITIES, NOTIFICATION_TYPES } from '../model.ts';
import { defineRule } from './engine.ts';
import type { NotificationRule } from './engine.ts';

/** The event an announcement publishes (platform-wide: its tenant, if any, is in the data). */
export const ANNOUNCEMENT_EVENT = 'notification.announcement';

/** The data of the announcement event. */
export const AnnouncementData = Type.Object({
  title: Type.String(),
  body: Type.String(),
  type: Type.Enum(NOTIFICATION_TYPES),
  priority: Type.Enum(NOTIFICATION_PRIORITIES),
  action_url: Type.Union([Type.String(), Type.Null()]),
  /** One tenant, or null with `all_tenants`. */
  customer_id: Type.Union([Type.String(), Type.Null()]),
  all_tenants: Type.Boolean(),
  roles: Type.Array(Type.Enum(CUSTOMER_ROLES)),
  announced_by: Type.Union([Type.String(), Type.Null()]),
});
export type AnnouncementDataType = Static<typeof AnnouncementData>;

export const announcementRules: readonly NotificationRule[] = [
  defineRule({
    name: 'notification.announcement → the tenant’s (or every tenant’s) users',
    event: ANNOUNCEMENT_EVENT,
    data: AnnouncementData,
    type: (data) => data.type,
    priority: (data) => data.priority,
    recipients: [
      (data) =>
        data.all_tenants
          ? { kind: 'all_tenants_roles', roles: data.roles }
          : data.customer_id
            ? { kind: 'tenant_roles', roles: data.roles, customerId: data.customer_id }
            : null,
    ],
    actor: (data) => data.announced_by,
    title: (data) => data.title,
    body: (data) => data.body,
    actionUrl: (data) => data.action_url,
  }),
];
