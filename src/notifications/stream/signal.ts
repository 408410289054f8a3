import type { Executor } from '../../jobs/types.ts';
import type { LiveFeed } from '../../realtime/live-feed.ts';
import type { UserId } from '../../identity/tables.ts';

/** The live-feed channel on which inbox changes are announced. */
export const INBOX_CHANNEL = 'notifications.inbox';

/** "This user's inbox changed up to this sequence number": streams read the rows themselves. */
export interface InboxChange {
  userId: UserId;
  seq: number;
}

/** Keeps each signal well under PostgreSQL's 8,000-byte NOTIFY payload limit. */
const MAX_PAYLOAD_BYTES = 6_000;

/**
 * Announces inbox changes inside the writer's transaction (delivered when it commits). Changes
 * are packed into as few signals as fit the payload bound, so a fan-out to 1,000 users costs a
 * handful of NOTIFYs, not a thousand.
 */
export async function publishInboxChanges(
  trx: Executor,
  feed: LiveFeed,
  changes: readonly InboxChange[],
): Promise<void> {
  const latest = new Map<UserId, number>();
  for (const change of changes) latest.set(change.userId, Math.max(latest.get(change.userId) ?? 0, change.seq));
  let chunk: [string, number][] = [];
  let size = 2;
  for (const entry of latest) {
    const entrySize = entry[0].length + String(entry[1]).length + 6;
    if (chunk.length > 0 && size + entrySize > MAX_PAYLOAD_BYTES) {
      await feed.publish(trx, INBOX_CHANNEL, JSON.stringify(chunk));
      chunk = [];
      size = 2;
    }
    chunk.push(entry);
    size += entrySize;
  }
  if (chunk.length > 0) await feed.publish(trx, INBOX_CHANNEL, JSON.stringify(chunk));
}

/** Reads a signal's payload back; anything malformed yields no changes. */
export function parseInboxChanges(payload: string): InboxChange[] {
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((entry: unknown) =>
      Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number'
        ? [{ userId: entry[0] as UserId, seq: entry[1] }]
        : [],
    );
  } catch {
    return [];
  }
}
