import { emitEvent } from '../events/outbox.ts';
import type { JobHandler } from '../jobs/index.ts';
import { RetryLater } from '../jobs/index.ts';
import type { TicketId } from './ids.ts';
import { presentTicket } from './presenter.ts';
import { calendarLookup, SLA_CHECK_JOB, slaColumns, slaHistory } from './sla-engine.ts';
import type { SlaCheckPayload } from './sla-engine.ts';
import { slaRepository } from './sla-repository.ts';
import { checkDue } from './sla/clocks.ts';
import type { SlaClocks } from './sla/clocks.ts';

/** The data of `ticket.sla_warning` and `ticket.sla_breached`. */
export interface SlaEventData {
  ticket: ReturnType<typeof presentTicket>;
  clock: SlaCheckPayload['clock'];
  /** The clock's target instant; a running clock always has one. */
  due_at: string;
}

// A concurrent change to the ticket won the version race; look again shortly.
const RACE_RETRY_MS = 50;

/**
 * The due check of one clock, run at the exact warning or breach time it was scheduled for. In
 * one transaction it loads the ticket, asks the pure core whether the check still stands (a
 * paused, met, re-targeted or reopened clock makes it stale: then it does nothing), records the
 * warning or breach in the clock state and the SLA log, sets `sla_status`, emits
 * `ticket.sla_warning` / `ticket.sla_breached`, and completes the job — all or nothing, so each
 * fires once per clock per cycle even if the job runs twice.
 */
export const slaJobs: Record<typeof SLA_CHECK_JOB, JobHandler> = {
  [SLA_CHECK_JOB]: async (job, ctx) => {
    const check = job.payload as SlaCheckPayload;
    const raced = await ctx.db.transaction().execute(async (trx) => {
      const repo = slaRepository(trx);
      const ticket = await repo.findTicket(check.ticket_id as TicketId);
      const now = ctx.now();
      if (ticket?.sla_clocks) {
        const settings = await repo.settings();
        const calendars = calendarLookup(settings);
        const change = checkDue(JSON.parse(ticket.sla_clocks) as SlaClocks, check, calendars, now);
        if (change) {
          const updated = await repo.updateTicket(ticket.id, ticket.version, {
            ...slaColumns(change.clocks, calendars, now),
            version: ticket.version + 1,
          });
          if (!updated) return true;
          await repo.insertHistory(slaHistory(updated, change.events, now));
          const data: SlaEventData = {
            ticket: presentTicket(updated, 'customer'),
            clock: check.clock,
            due_at: change.clocks[check.clock].due_at as string,
          };
          const type = check.kind === 'warning' ? 'ticket.sla_warning' : 'ticket.sla_breached';
          await emitEvent(trx, { type, customerId: updated.customer_id, data }, now);
        }
      }
      await ctx.completeWithin(trx);
      return false;
    });
    if (raced) throw new RetryLater(RACE_RETRY_MS, 'the ticket changed meanwhile', { consumeAttempt: false });
  },
};
