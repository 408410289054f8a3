// The notification inbox as the portal shows it: types, labels, filters, and what the live stream
// sends. Pure, so the rules (bell name, which items toast, which links are followed) are tested alone.
import type { operations } from '../../api/client.ts';
import type { Toast } from '../../ui/toasts.tsx';

type InboxPage = operations['listNotifications']['responses'][200]['content']['application/json'];
export type Notification = InboxPage['notifications'][number];
export type NotificationType = Notification['type'];
export type NotificationPriority = Notification['priority'];

/** Every type, in the order of the tabs and the settings matrix. */
export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  'support',
  'billing',
  'security_alert',
  'compliance',
  'system',
  'informational',
];

export const TYPE_LABELS: Record<NotificationType, string> = {
  support: 'Support',
  billing: 'Billing and costs',
  security_alert: 'Security alerts',
  compliance: 'Compliance',
  system: 'System',
  informational: 'Announcements',
};

export const PRIORITY_BADGE: Record<NotificationPriority, string> = {
  critical: 'badge badge-danger',
  high: 'badge badge-warning',
  medium: 'badge badge-info',
  low: 'badge',
};

/** Query keys; every one starts with `notifications`, so a mutation can refresh them all. */
export const notificationKeys = {
  all: ['notifications'] as const,
  unreadCount: ['notifications', 'unread-count'] as const,
  unreadByType: ['notifications', 'unread-by-type'] as const,
  newest: ['notifications', 'newest'] as const,
  lists: ['notifications', 'list'] as const,
};

/** The bell's accessible name: other pages' tests read the count from it. */
export function bellLabel(unread: number): string {
  return unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';
}

/** Which slice of the inbox the page lists. */
export type InboxView = 'all' | 'unread' | 'read' | 'archived';

export const INBOX_VIEWS: Array<{ value: InboxView; label: string }> = [
  { value: 'all', label: 'All in the inbox' },
  { value: 'unread', label: 'Unread' },
  { value: 'read', label: 'Read' },
  { value: 'archived', label: 'Archived' },
];

/** The list query's filter parameters for a tab and a view. */
export function inboxQuery(
  tab: NotificationType | 'all',
  view: InboxView,
): { type?: NotificationType; read?: boolean; archived?: boolean } {
  return {
    ...(tab === 'all' ? {} : { type: tab }),
    ...(view === 'unread' ? { read: false } : view === 'read' ? { read: true } : {}),
    ...(view === 'archived' ? { archived: true } : {}),
  };
}

export function isNotificationType(value: string): value is NotificationType {
  return (NOTIFICATION_TYPES as readonly string[]).includes(value);
}

/**
 * A link the portal may follow: one of its own paths (one leading slash, not `//host` or `/\host`,
 * which browsers treat as another origin). Anything else is not a link.
 */
export function portalPath(actionUrl: string | null): string | null {
  if (!actionUrl || !/^\/(?![/\\])/.test(actionUrl)) return null;
  return actionUrl;
}

const TOAST_DURATION_MS: Partial<Record<NotificationPriority, number>> = { critical: 10_000, high: 5_000 };

/**
 * The toast for a newly arrived notification: critical and high ones only. New activity on a
 * grouped thread reuses the notification's id, so the id of the toast includes the activity count:
 * the same activity replayed never toasts twice, the next reply does.
 */
export function toastFor(notification: Notification): Toast | null {
  const durationMs = TOAST_DURATION_MS[notification.priority];
  if (durationMs === undefined || notification.read_at || notification.archived_at) return null;
  return {
    id: `notification:${notification.id}:${notification.group_count}`,
    title: notification.title,
    body: notification.body,
    tone: notification.priority === 'critical' ? 'critical' : 'high',
    href: portalPath(notification.action_url),
    durationMs,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The count of an `unread_count` or `resync` event, or null if the data is not one. */
export function unreadCountOf(data: unknown): number | null {
  return isRecord(data) && typeof data.unread_count === 'number' ? data.unread_count : null;
}

/** The notification of a `notification.created`/`.updated` event, or null if the data is not one. */
export function notificationOf(data: unknown): Notification | null {
  if (!isRecord(data)) return null;
  const { id, priority, title } = data;
  if (typeof id !== 'string' || typeof title !== 'string' || typeof priority !== 'string') return null;
  return data as unknown as Notification;
}

const THREAD_KINDS: Record<string, string> = {
  ticket: 'Support ticket',
  'cost-anomalies': 'Cost anomalies of',
  budget: 'Budget',
  api_key: 'API key',
  webhook: 'Webhook',
};

/** A muted thread named for people: "Cost anomalies of 2026-11-27"; ids stay out, unknown kinds show as they are. */
export function threadLabel(groupKey: string): string {
  const [kind = '', ...rest] = groupKey.split(':');
  const name = THREAD_KINDS[kind];
  if (!name) return groupKey;
  if (kind === 'cost-anomalies') return `${name} ${rest.join(':')}`;
  if (kind === 'budget' && rest[1]) return `${name}, ${rest[1]}`;
  if (kind === 'ticket' && rest[0] && /^SB-\d+$/.test(rest[0])) return `${name} ${rest[0]}`;
  return name;
}
