import type { JobHandler, PeriodicJob } from '../jobs/index.ts';
import { databaseWindowCounters } from '../rate-limits/counters.ts';

const DAY_MS = 24 * 3600_000;

/** Retention that replaces the seed's TTLs for the foundation's own tables. */
export const housekeepingJobs: Record<string, JobHandler> = {
  'housekeeping.sweep': async (_job, ctx) => {
    const now = ctx.now().getTime();
    await ctx.db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', new Date(now - DAY_MS).toISOString())
      .execute();
    await ctx.db
      .deleteFrom('sessions')
      .where('expires_at', '<', new Date(now - 7 * DAY_MS).toISOString())
      .execute();
    await ctx.db
      .deleteFrom('setup_tokens')
      .where('expires_at', '<', new Date(now - DAY_MS).toISOString())
      .execute();
    await databaseWindowCounters(ctx.db).deleteEnded(now);
  },
};

export const housekeepingSchedule: PeriodicJob[] = [{ name: 'housekeeping.sweep', intervalMs: 3600_000 }];
