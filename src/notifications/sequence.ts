import type { UserId } from '../identity/tables.ts';
import type { Executor } from '../jobs/types.ts';

/** Counters per upsert: one parameter pair per user, far under both dialects' parameter limits. */
const CHUNK = 1_000;

/**
 * Reserves `count` sequence numbers for each user from their inbox counter
 * (`notification_inboxes.last_seq`) and returns each user's new last number: the reserved ones are
 * `last - count + 1 … last`. The upsert locks the counter row until the caller's transaction
 * ends, so one user's numbers are handed out in commit order (what lets a live stream resume after
 * `Last-Event-ID` without a gap or a repeat). Users are taken in sorted order so that concurrent
 * writers lock counters in the same order and cannot deadlock.
 */
export async function reserveSequences(
  trx: Executor,
  counts: ReadonlyMap<UserId, number>,
): Promise<Map<UserId, number>> {
  const users = [...counts.keys()].sort();
  const last = new Map<UserId, number>();
  for (let start = 0; start < users.length; start += CHUNK) {
    const part = users.slice(start, start + CHUNK);
    const rows = await trx
      .insertInto('notification_inboxes')
      .values(part.map((userId) => ({ user_id: userId, last_seq: counts.get(userId) ?? 0 })))
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet((eb) => ({
          last_seq: eb(eb.ref('notification_inboxes.last_seq'), '+', eb.ref('excluded.last_seq')),
        })),
      )
      .returning(['user_id', 'last_seq'])
      .execute();
    for (const row of rows) last.set(row.user_id, Number(row.last_seq));
  }
  return last;
}

/** The next sequence number of one user's inbox (a read, archive or other change of theirs). */
export async function nextSequence(trx: Executor, userId: UserId): Promise<number> {
  const last = await reserveSequences(trx, new Map([[userId, 1]]));
  return last.get(userId) as number;
}
