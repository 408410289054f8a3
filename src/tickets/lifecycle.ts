import { emitEvent } from '../events/outbox.ts';
import { RetryLater } from '../jobs/index.ts';
import type { JobHandler, NewJob } from '../jobs/index.ts';
import type { TicketId } from './ids.ts';
import { ticketRepository } from './repository.ts';
import type { Ticket } from './repository.ts';
import { canTransition } from './status-machine.ts';
import { emitChanges, systemHistoryOf } from './use-cases/ticket-changes.ts';

/** The job that closes one resolved ticket once its auto-close period has passed. */
export const AUTO_CLOSE_JOB = 'tickets.auto_close';

/** Payload of the auto-close job: the ticket and the resolution it was scheduled for. */
export interface AutoClosePayload {
  ticketId: string;
  resolvedAt: string;
}

/** One day, the unit of TICKET_AUTO_CLOSE_DAYS. */
export const DAY_MS = 86_400_000;

/** When a ticket resolved at `resolvedAt` closes by itself. */
export function autoCloseDueAt(resolvedAt: string, autoCloseMs: number): Date {
  return new Date(Date.parse(resolvedAt) + autoCloseMs);
}

/**
 * The auto-close job of a resolution, enqueued in the transaction that resolves the ticket. The
 * key names the resolution, so a reopen and a second resolution schedule a second job, and the
 * first one, finding a different `resolved_at`, does nothing.
 */
export function autoCloseJob(ticket: Pick<Ticket, 'id' | 'resolved_at'>, autoCloseMs: number): NewJob {
  const resolvedAt = ticket.resolved_at as string;
  const payload: AutoClosePayload = { ticketId: ticket.id, resolvedAt };
  return {
    name: AUTO_CLOSE_JOB,
    payload,
    runAt: autoCloseDueAt(resolvedAt, autoCloseMs),
    uniqueKey: `${AUTO_CLOSE_JOB}:${ticket.id}:${resolvedAt}`,
  };
}

/**
 * The lifecycle job handlers. Auto-close: a ticket still resolved by the same resolution is
 * closed by the system (history entry, `ticket.updated` and `ticket.closed`), in one transaction
 * with the job's completion. Run early (the period was lengthened, or a job from the upgrade
 * migration), it waits out the rest; a reopened, re-resolved or already closed ticket is left alone.
 * The cost is one job per resolution: no sweep ever scans open or resolved tickets.
 */
export function ticketLifecycleJobs(options: { autoCloseMs: number }): Record<typeof AUTO_CLOSE_JOB, JobHandler> {
  return {
    [AUTO_CLOSE_JOB]: async (job, ctx) => {
      const payload = job.payload as AutoClosePayload;
      const due = autoCloseDueAt(payload.resolvedAt, options.autoCloseMs);
      const wait = due.getTime() - ctx.now().getTime();
      if (wait > 0) throw new RetryLater(wait, 'auto-close period not over yet', { consumeAttempt: false });
      await ctx.db.transaction().execute(async (trx) => {
        const repo = ticketRepository(trx, { kind: 'all_tenants' });
        const [ticket] = await repo.find({ id: payload.ticketId as TicketId });
        const now = ctx.now();
        if (
          ticket &&
          ticket.status === 'resolved' &&
          ticket.resolved_at === payload.resolvedAt &&
          canTransition('resolved', 'closed', 'system')
        ) {
          const iso = now.toISOString();
          const updated = await repo.update(ticket.id, ticket.version, {
            status: 'closed',
            closed_at: iso,
            version: ticket.version + 1,
            updated_at: iso,
          });
          // Someone changed the ticket meanwhile: run again and look at it afresh.
          if (!updated) throw new RetryLater(0, 'ticket changed concurrently', { consumeAttempt: false });
          const changes = [{ field: 'status' as const, from: 'resolved', to: 'closed' }];
          await repo.insertHistory(systemHistoryOf(updated, changes, now));
          await emitChanges(emitEvent, trx, updated, changes, now, null);
        }
        await ctx.completeWithin(trx);
      });
    },
  };
}
