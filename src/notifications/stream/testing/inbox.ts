import type { Kysely } from 'kysely';
import type { Database } from '../../../database/schema.ts';
import type { UserId } from '../../../identity/tables.ts';
import type { LiveFeed } from '../../../realtime/live-feed.ts';
import type { NotificationId } from '../../ids.ts';
import { publishInboxChanges } from '../signal.ts';

/**
 * Marks notifications read the way the inbox routes do: each changed row takes the next number of
 * its user's counter (under the counter row's lock) as its `change_seq`, and streams are told.
 */
export async function markRead(
  db: Kysely<Database>,
  feed: LiveFeed,
  userId: UserId,
  ids: readonly NotificationId[],
  now: Date,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const unread = await trx
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('read_at', 'is', null)
      .execute();
    if (unread.length === 0) return 0;
    const counter = await trx
      .updateTable('notification_inboxes')
      .set((eb) => ({ last_seq: eb('last_seq', '+', unread.length) }))
      .where('user_id', '=', userId)
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    let seq = Number(counter.last_seq) - unread.length;
    for (const row of unread) {
      seq += 1;
      await trx
        .updateTable('notifications')
        .set({ read_at: now.toISOString(), change_seq: seq, updated_at: now.toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
    await publishInboxChanges(trx, feed, [{ userId, seq }]);
    return Number(counter.last_seq);
  });
}
