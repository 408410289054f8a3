/**
 * The inbox queries of one user: every query starts from that user's id (bound at creation), so no
 * method can read or change another user's notifications, whatever ids it is given.
 */
import { sql } from 'kysely';
import type { Updateable } from 'kysely';
import { pageQuery, toPage } from '../database/pagination.ts';
import type { Page, SortKey } from '../database/pagination.ts';
import type { UserId } from '../identity/tables.ts';
import type { Executor } from '../jobs/types.ts';
import type { NotificationId } from './ids.ts';
import type { NotificationPriority, NotificationType } from './model.ts';
import type { Notification } from './presenter.ts';
import type { NotificationsTable } from './tables.ts';

/** Filters of the inbox list; absent ones do not filter. */
export interface InboxFilter {
  type?: NotificationType | undefined;
  priority?: NotificationPriority | undefined;
  read?: boolean | undefined;
  archived?: boolean | undefined;
}

/** Newest activity first: the user's own sequence, so a regrouped thread moves to the top. */
const BY_ACTIVITY: SortKey = {
  name: 'activity',
  expression: sql.ref('activity_seq'),
  idColumn: 'id',
  direction: 'desc',
};

/** Ids per `in (...)` list (requests carry at most 1,000). */
const ID_CHUNK = 1_000;

/** The inbox repository of `userId` over a handle or a transaction. */
export function inboxRepository(db: Executor, userId: UserId) {
  const own = () => db.selectFrom('notifications').where('user_id', '=', userId);
  const unread = () => own().where('read_at', 'is', null).where('archived_at', 'is', null);
  return {
    async list(filter: InboxFilter, page: { limit?: number | undefined; cursor?: string | undefined }) {
      let query = own().selectAll();
      if (filter.type) query = query.where('type', '=', filter.type);
      if (filter.priority) query = query.where('priority', '=', filter.priority);
      if (filter.read !== undefined) query = query.where('read_at', filter.read ? 'is not' : 'is', null);
      query = query.where('archived_at', filter.archived ? 'is not' : 'is', null);
      const rows = await pageQuery(query, BY_ACTIVITY, page).execute();
      return toPage(rows, BY_ACTIVITY, page.limit, (row) => ({ value: Number(row.activity_seq), id: row.id }));
    },

    find: (id: NotificationId) => own().selectAll().where('id', '=', id).executeTakeFirst(),

    /** The user's latest sequence number: every change up to it has committed (0 for an empty inbox). */
    async sequence(): Promise<number> {
      const row = await db
        .selectFrom('notification_inboxes')
        .select('last_seq')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? Number(row.last_seq) : 0;
    },

    /** Notifications changed after sequence `after`, oldest change first (a live stream's replay). */
    changesAfter: (after: number, limit: number): Promise<Notification[]> =>
      own().selectAll().where('change_seq', '>', after).orderBy('change_seq').limit(limit).execute(),

    /** The newest notifications in the inbox, newest activity first (a resync's snapshot). */
    newest: (limit: number): Promise<Notification[]> =>
      own().selectAll().where('archived_at', 'is', null).orderBy('activity_seq', 'desc').limit(limit).execute(),

    /** Unread, not archived. */
    async unreadCount(): Promise<number> {
      const row = await unread()
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async unreadByType(): Promise<Map<NotificationType, number>> {
      const rows = await unread()
        .select(['type', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('type')
        .execute();
      return new Map(rows.map((row) => [row.type, Number(row.n)]));
    },

    /** Which of these ids are this user's unread notifications (others' ids simply never match). */
    async unreadAmong(ids: readonly NotificationId[]): Promise<NotificationId[]> {
      const found: NotificationId[] = [];
      for (let start = 0; start < ids.length; start += ID_CHUNK) {
        const rows = await unread()
          .select('id')
          .where('id', 'in', ids.slice(start, start + ID_CHUNK))
          .execute();
        found.push(...rows.map((row) => row.id));
      }
      return found;
    },

    /** Whether the user has any unread notification (optionally of one type). */
    async hasUnread(type?: NotificationType): Promise<boolean> {
      let query = unread().select('id');
      if (type) query = query.where('type', '=', type);
      return (await query.limit(1).executeTakeFirst()) !== undefined;
    },

    /** Marks these (still unread) notifications read under one sequence number; returns how many. */
    async markRead(ids: readonly NotificationId[], seq: number, now: string): Promise<number> {
      let changed = 0;
      for (let start = 0; start < ids.length; start += ID_CHUNK) {
        const result = await db
          .updateTable('notifications')
          .set({ read_at: now, change_seq: seq, updated_at: now })
          .where('user_id', '=', userId)
          .where('id', 'in', ids.slice(start, start + ID_CHUNK))
          .where('read_at', 'is', null)
          .where('archived_at', 'is', null)
          .executeTakeFirst();
        changed += Number(result.numUpdatedRows);
      }
      return changed;
    },

    /** Marks every unread notification in the inbox (optionally of one type) read; returns how many. */
    async markAllRead(seq: number, now: string, type?: NotificationType): Promise<number> {
      let query = db
        .updateTable('notifications')
        .set({ read_at: now, change_seq: seq, updated_at: now })
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .where('archived_at', 'is', null);
      if (type) query = query.where('type', '=', type);
      return Number((await query.executeTakeFirst()).numUpdatedRows);
    },

    /** Applies a change to one notification and returns it as stored afterwards. */
    async update(id: NotificationId, change: Updateable<NotificationsTable>): Promise<Notification | undefined> {
      await db.updateTable('notifications').set(change).where('user_id', '=', userId).where('id', '=', id).execute();
      return own().selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * Stamps `seen_at` on the given rows that have none. Seeing is not a change: no sequence
     * number, no live event (see the README), so listing stays cheap.
     */
    async markSeen(ids: readonly NotificationId[], now: string): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('notifications')
        .set({ seen_at: now })
        .where('user_id', '=', userId)
        .where('id', 'in', ids)
        .where('seen_at', 'is', null)
        .execute();
    },
  };
}

export type InboxRepository = ReturnType<typeof inboxRepository>;
export type { Page };
