import type { UserId } from '../identity/tables.ts';
import type { NotificationEmailId, NotificationId } from './ids.ts';
import type { NotificationPriority, NotificationType } from './model.ts';

/**
 * One user's notification. A group (`group_key`, e.g. a ticket) holds one row per user: new
 * activity on the group updates that row (new title/body, unread again, `activity_seq` bumped)
 * instead of adding another.
 *
 * `activity_seq` and `change_seq` come from the user's own counter (`notification_inboxes.last_seq`),
 * taken under that row's lock, so for one user they are assigned in commit order: a live stream
 * resumes after `Last-Event-ID` = the last `change_seq` it saw without losing or repeating a change.
 */
export interface NotificationsTable {
  id: NotificationId;
  /** The tenant the notification concerns (null for a platform-wide announcement to staff). */
  customer_id: string | null;
  user_id: UserId;
  type: NotificationType;
  priority: NotificationPriority;
  title: string;
  body: string;
  /** A portal route such as `/support/SB-1042`. */
  action_url: string | null;
  /** The event that last created or updated this row. */
  source_event_id: string | null;
  group_key: string | null;
  /** How many activities the group has gathered (1 for a lone notification). */
  group_count: number;
  /** Sequence of the creation or latest group activity: the list's order and the stream's `created` events. */
  activity_seq: number;
  /** Sequence of the latest change of any kind (activity, read, archive). */
  change_seq: number;
  created_at: string;
  updated_at: string;
  seen_at: string | null;
  read_at: string | null;
  archived_at: string | null;
}

/** Per-user sequence counter (see NotificationsTable). */
export interface NotificationInboxesTable {
  user_id: UserId;
  last_seq: number;
}

/** One row per (user, source event): a redelivered event never notifies twice. */
export interface NotificationSourcesTable {
  user_id: UserId;
  source_event_id: string;
  notification_id: NotificationId;
  created_at: string;
}

/**
 * A user's choices. `email` is a JSON object `{ [type]: boolean }` overriding the tenant defaults
 * and the built-in ones; `quiet_hours` is JSON `{ start: 'HH:mm', end: 'HH:mm', time_zone, days: [1..7] }`
 * (ISO weekdays, Monday = 1) or null.
 */
export interface NotificationPreferencesTable {
  user_id: UserId;
  customer_id: string | null;
  email: string;
  quiet_hours: string | null;
  updated_at: string;
}

/** A tenant admin's defaults for the tenant's users: JSON `{ [type]: boolean }` for email. */
export interface NotificationTenantDefaultsTable {
  customer_id: string;
  email: string;
  updated_at: string;
}

/** A muted thread: no notification of this group reaches the user. */
export interface NotificationMutesTable {
  user_id: UserId;
  group_key: string;
  created_at: string;
}

export type NotificationEmailStatus = 'queued' | 'sent' | 'failed' | 'suppressed';

/** One email: its current state (the send job updates it) and what was sent. */
export interface NotificationEmailsTable {
  id: NotificationEmailId;
  customer_id: string | null;
  user_id: UserId;
  /** Null for a digest or a test email. */
  notification_id: NotificationId | null;
  type: NotificationType;
  /** 'notification', 'digest' or 'test'. */
  kind: string;
  to_address: string;
  subject: string;
  status: NotificationEmailStatus;
  attempts: number;
  /** Not before this time (the end of quiet hours, or now). */
  send_after: string;
  /** The SMTP server's Message-ID once sent. */
  message_id: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** Every attempt and state change of an email: `queued`, `sent`, `failed`, `suppressed`. */
export interface NotificationEmailAttemptsTable {
  id: string;
  email_id: NotificationEmailId;
  attempt: number;
  status: NotificationEmailStatus;
  /** SMTP reply code when there was one. */
  smtp_code: number | null;
  detail: string | null;
  created_at: string;
}

export interface NotificationTables {
  notifications: NotificationsTable;
  notification_inboxes: NotificationInboxesTable;
  notification_sources: NotificationSourcesTable;
  notification_preferences: NotificationPreferencesTable;
  notification_tenant_defaults: NotificationTenantDefaultsTable;
  notification_mutes: NotificationMutesTable;
  notification_emails: NotificationEmailsTable;
  notification_email_attempts: NotificationEmailAttemptsTable;
}
