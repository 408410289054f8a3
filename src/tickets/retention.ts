import type { JobHandler, PeriodicJob } from '../jobs/index.ts';
import type { AttachmentStore } from './attachments/store.ts';
import { ticketSystemRepository } from './repository.ts';

/** The job name of the closed-ticket retention sweep. */
export const TICKET_RETENTION_JOB = 'tickets.retention';

// Uploads still incoming after a day belong to requests that died; nothing refers to them.
const INCOMING_MAX_AGE_MS = 86_400_000;

/**
 * Replaces the seed's 90-day TTL: tickets closed more than `days` ago are deleted with their
 * comments, history and attachments, in bounded chunks, each chunk in its own transaction.
 * Attachment files are unlinked after their rows' commit, from the queue that commit wrote, so a
 * crash in between only delays the unlinking to the next sweep.
 */
export function ticketRetention(days: number, store: AttachmentStore): Record<typeof TICKET_RETENTION_JOB, JobHandler> {
  return {
    [TICKET_RETENTION_JOB]: async (_job, ctx) => {
      const now = ctx.now();
      const before = new Date(now.getTime() - days * 86_400_000).toISOString();
      for (let round = 0; round < 100; round += 1) {
        const purged = await ctx.db
          .transaction()
          .execute((trx) => ticketSystemRepository(trx).purgeClosedBefore(before, 500, now.toISOString()));
        if (purged === 0) break;
      }
      const system = ticketSystemRepository(ctx.db);
      for (let round = 0; round < 100; round += 1) {
        const files = await system.pendingFilePurges(500);
        if (files.length === 0) break;
        for (const id of files) await store.remove(id);
        await system.forgetFilePurges(files);
      }
      await store.sweepIncoming(new Date(now.getTime() - INCOMING_MAX_AGE_MS));
    },
  };
}

/** Runs the sweep hourly. */
export const ticketRetentionSchedule: PeriodicJob[] = [{ name: TICKET_RETENTION_JOB, intervalMs: 3_600_000 }];
