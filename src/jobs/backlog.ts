import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';

/** Jobs a worker could claim now: how many, and how long the longest-waiting one has waited. */
export interface JobBacklog {
  count: number;
  /** Seconds since the oldest claimable job became due; 0 when there is none. */
  oldestAgeSeconds: number;
}

/**
 * The backlog at `now`, by the claim's own rule: pending jobs due, plus running jobs whose lease
 * expired (a crashed worker's), which became claimable when the lease ran out.
 */
export async function jobBacklog(db: Kysely<Database>, now: Date): Promise<JobBacklog> {
  const at = now.toISOString();
  const row = await db
    .selectFrom('jobs')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('count'),
      eb.fn
        .min(eb.case().when('status', '=', 'pending').then(eb.ref('run_at')).else(eb.ref('locked_until')).end())
        .as('oldest'),
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', at)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', at)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  const oldest = row.oldest ? Date.parse(row.oldest) : now.getTime();
  return { count: Number(row.count), oldestAgeSeconds: Math.max(0, Math.floor((now.getTime() - oldest) / 1000)) };
}
