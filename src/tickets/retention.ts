import type { JobHandler, PeriodicJob } from '../jobs/index.ts';
import { ticketSystemRepository } from './repository.ts';

/** The job name of the closed-ticket retention sweep. */
export const TICKET_RETENTION_JOB = 'tickets.retention';

/**
 * Replaces the seed's 90-day TTL: tickets closed more than `days` ago are deleted with their
 * comments and history, in bounded chunks, each chunk in its own transaction.
 */
export function ticketRetention(days: number): Record<typeof TICKET_RETENTION_JOB, JobHandler> {
  return {
    [TICKET_RETENTION_JOB]: async (_job, ctx) => {
      const before = new Date(ctx.now().getTime() - days * 86_400_000).toISOString();
      for (let round = 0; round < 100; round += 1) {
        const purged = await ctx.db
          .transaction()
          .execute((trx) => ticketSystemRepository(trx).purgeClosedBefore(before, 500));
        if (purged === 0) break;
      }
    },
  };
}

/** Runs the sweep hourly. */
export const ticketRetentionSchedule: PeriodicJob[] = [{ name: TICKET_RETENTION_JOB, intervalMs: 3_600_000 }];
