import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import type { UserId } from '../../identity/tables.ts';
import type { Notification } from '../presenter.ts';

/**
 * The reads of live streams, each one short query on the shared pool: a stream holds no database
 * connection while it waits.
 */

/** The user's latest sequence number: every change up to it has committed (0 for an empty inbox). */
export async function inboxSequence(db: Kysely<Database>, userId: UserId): Promise<number> {
  const row = await db
    .selectFrom('notification_inboxes')
    .select('last_seq')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? Number(row.last_seq) : 0;
}

/** The user's notifications changed after `after`, oldest change first. */
export async function changesAfter(
  db: Kysely<Database>,
  userId: UserId,
  after: number,
  limit: number,
): Promise<Notification[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('change_seq', '>', after)
    .orderBy('change_seq')
    .limit(limit)
    .execute();
}

/** Unread notifications still in the inbox (not archived): the bell's number. */
export async function unreadCount(db: Kysely<Database>, userId: UserId): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** The newest notifications in the inbox, newest activity first (a resync's snapshot). */
export async function newestNotifications(
  db: Kysely<Database>,
  userId: UserId,
  limit: number,
): Promise<Notification[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('archived_at', 'is', null)
    .orderBy('activity_seq', 'desc')
    .limit(limit)
    .execute();
}
