import type { Selectable } from 'kysely';
import type { NotificationViewType } from './schemas.ts';
import type { NotificationsTable } from './tables.ts';

export type Notification = Selectable<NotificationsTable>;

/** A notification row as its user sees it (lists, the live stream, webhooks). */
export function presentNotification(row: Notification): NotificationViewType {
  return {
    id: row.id,
    customer_id: row.customer_id,
    user_id: row.user_id,
    type: row.type,
    priority: row.priority,
    title: row.title,
    body: row.body,
    action_url: row.action_url,
    source_event_id: row.source_event_id,
    group_key: row.group_key,
    group_count: row.group_count,
    sequence: row.change_seq,
    created_at: row.created_at,
    updated_at: row.updated_at,
    seen_at: row.seen_at,
    read_at: row.read_at,
    archived_at: row.archived_at,
  };
}
