/**
 * The delivery-log retention sweep (default 30 days, `RETENTION_WEBHOOK_DELIVERIES_DAYS`): a
 * periodic job deleting old attempts and finished messages in bounded chunks.
 */
import type { JobHandler, PeriodicJob } from '../jobs/index.ts';
import { webhookSystemRepository } from './repository.ts';

/** The job name of the sweep. */
export const RETENTION_JOB = 'webhooks.retention';

/** The sweep's handler for a retention of `days`. */
export function webhookRetention(days: number): Record<typeof RETENTION_JOB, JobHandler> {
  return {
    [RETENTION_JOB]: async (_job, ctx) => {
      const before = new Date(ctx.now().getTime() - days * 86_400_000).toISOString();
      for (let round = 0; round < 100; round += 1) {
        if ((await webhookSystemRepository(ctx.db).purgeBefore(before, 5_000)) === 0) break;
      }
    },
  };
}

/** Runs the sweep hourly. */
export const webhookRetentionSchedule: PeriodicJob[] = [{ name: RETENTION_JOB, intervalMs: 3_600_000 }];
