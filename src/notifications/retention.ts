/**
 * The inbox retention sweep (default 30 days, `RETENTION_NOTIFICATIONS_DAYS`, the seed's TTL): a
 * periodic job deleting notifications whose creation and last activity are both older than the
 * retention, and the (user, source event) keys older than it, in bounded chunks. A thread still
 * active stays; the per-user sequence counters are never deleted (numbers must not repeat).
 */
import type { JobHandler, PeriodicJob } from '../jobs/index.ts';
import type { Executor } from '../jobs/types.ts';

/** The job name of the sweep. */
export const NOTIFICATION_RETENTION_JOB = 'notifications.retention';

/** Rows per DELETE: short statements, so the sweep never holds the database for long. */
const CHUNK = 5_000;
/** Chunks per run; what is left waits for the next hour. */
const MAX_ROUNDS = 100;

/** Deletes one chunk of notifications older than `before`; returns how many. */
async function purgeNotifications(db: Executor, before: string): Promise<number> {
  const result = await db
    .deleteFrom('notifications')
    .where(
      'id',
      'in',
      db
        .selectFrom('notifications')
        .select('id')
        .where('created_at', '<', before)
        .where('updated_at', '<', before)
        .limit(CHUNK),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes one chunk of (user, source event) keys older than `before`; returns how many. */
async function purgeSources(db: Executor, before: string): Promise<number> {
  const result = await db
    .deleteFrom('notification_sources')
    .where((eb) =>
      eb(
        eb.refTuple('user_id', 'source_event_id'),
        'in',
        eb
          .selectFrom('notification_sources')
          .select(['user_id', 'source_event_id'])
          .where('created_at', '<', before)
          .limit(CHUNK)
          .$asTuple('user_id', 'source_event_id'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Runs the sweep once at `now` for a retention of `days`; returns how many rows went. */
export async function sweepNotifications(db: Executor, now: Date, days: number): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000).toISOString();
  let deleted = 0;
  for (const purge of [purgeNotifications, purgeSources]) {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const count = await purge(db, before);
      deleted += count;
      if (count < CHUNK) break;
    }
  }
  return deleted;
}

/** The sweep's handler for a retention of `days`. */
export function notificationRetention(days: number): Record<typeof NOTIFICATION_RETENTION_JOB, JobHandler> {
  return {
    [NOTIFICATION_RETENTION_JOB]: async (_job, ctx) => {
      await sweepNotifications(ctx.db, ctx.now(), days);
    },
  };
}

/** Runs the sweep hourly. */
export const notificationRetentionSchedule: PeriodicJob[] = [
  { name: NOTIFICATION_RETENTION_JOB, intervalMs: 3_600_000 },
];
