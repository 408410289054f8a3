import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database/schema.ts';
import { enqueueJobs } from '../jobs/enqueue.ts';
import type { NewJob } from '../jobs/enqueue.ts';
import type { Executor } from '../jobs/types.ts';
import { newTicketHistoryId } from './ids.ts';
import type { TicketId } from './ids.ts';
import type { Ticket } from './repository.ts';
import { slaRepository } from './sla-repository.ts';
import type { SlaSettings } from './sla-repository.ts';
import { DEFAULT_BUSINESS_CALENDAR } from './sla/calendar.ts';
import { pendingDueChecks, slaStatusAt, startClocks } from './sla/clocks.ts';
import type { CalendarLookup, ClockName, DueCheck, SlaChange, SlaClocks, SlaEvent } from './sla/clocks.ts';
import { termsFor } from './sla/policy.ts';
import { adoptTicket, slaAfterChange } from './sla/transitions.ts';
import type { SlaFacts } from './sla/transitions.ts';
import type { TicketHistoryTable, TicketsTable } from './tables.ts';

/** The job that raises one clock's warning or breach at its exact time. */
export const SLA_CHECK_JOB = 'tickets.sla_check';

/** What a due-check job carries: which clock, which check, which cycle. */
export interface SlaCheckPayload {
  ticket_id: string;
  clock: ClockName;
  kind: DueCheck['kind'];
  cycle: number;
}

/** The SLA columns of a ticket. */
export type SlaColumns = Pick<
  TicketsTable,
  'sla_clocks' | 'sla_first_response_due_at' | 'sla_resolution_due_at' | 'sla_status'
>;

/** What a change does to the SLA: columns to write with it, then `record` once the write succeeded. */
export interface SlaPlan {
  set: Partial<SlaColumns>;
  /** Appends the SLA events to the history and schedules the due checks, in the same transaction. */
  record(ticket: Ticket): Promise<void>;
}

/** A calendar by id, falling back to the default should a clock name one that no longer exists. */
export function calendarLookup(settings: SlaSettings): CalendarLookup {
  return (id) => settings.calendars.get(id) ?? DEFAULT_BUSINESS_CALENDAR;
}

const factsOf = (ticket: Ticket): SlaFacts => ({
  status: ticket.status,
  priority: ticket.priority,
  first_response_at: ticket.first_response_at,
});

/** The columns that mirror the clocks: due times, status at `now`, the clocks themselves. */
export function slaColumns(clocks: SlaClocks, calendars: CalendarLookup, now: Date): SlaColumns {
  return {
    sla_clocks: JSON.stringify(clocks),
    sla_first_response_due_at: clocks.first_response.due_at,
    sla_resolution_due_at: clocks.resolution.due_at,
    sla_status: slaStatusAt(clocks, calendars, now),
  };
}

/** SLA events as system history entries: the append-only SLA log, read through the ticket history. */
export function slaHistory(ticket: Ticket, events: SlaEvent[], now: Date): TicketHistoryTable[] {
  return events.map((event) => ({
    id: newTicketHistoryId(now),
    ticket_id: ticket.id,
    customer_id: ticket.customer_id,
    actor_id: null,
    actor_role: 'system' as const,
    field: 'sla',
    from_value: null,
    to_value: JSON.stringify(event),
    visibility: 'public' as const,
    created_at: now.toISOString(),
  }));
}

const checkKey = (ticketId: string, check: DueCheck) =>
  `sla:${ticketId}:${check.clock}:${check.cycle}:${check.kind}:${check.run_at}`;

/**
 * One job per due check, at its exact time. The key holds the time, so a moved clock gets a new
 * job while the old one, finding the clock moved, does nothing; an unchanged check is not
 * enqueued again.
 */
export async function scheduleDueChecks(
  trx: Executor,
  ticketId: string,
  checks: DueCheck[],
  previous: DueCheck[],
  now: Date,
): Promise<void> {
  const known = new Set(previous.map((check) => checkKey(ticketId, check)));
  const jobs: NewJob[] = checks
    .filter((check) => !known.has(checkKey(ticketId, check)))
    .map((check) => ({
      name: SLA_CHECK_JOB,
      payload: {
        ticket_id: ticketId,
        clock: check.clock,
        kind: check.kind,
        cycle: check.cycle,
      } satisfies SlaCheckPayload,
      runAt: new Date(Math.max(Date.parse(check.run_at), now.getTime())),
      uniqueKey: checkKey(ticketId, check),
    }));
  await enqueueJobs(trx, jobs, now);
}

/**
 * The SLA side of a ticket change (`before` null: a new ticket), for the ticket use cases: the
 * clocks of tickets.md's SLA section under the policy of the tenant's tier, computed by the pure
 * core in `sla/`. Changes that touch nothing the clocks follow cost no query.
 */
export async function planSla(
  trx: Transaction<Database>,
  before: Ticket | null,
  after: Ticket,
  now: Date,
): Promise<SlaPlan> {
  const beforeFacts = before ? factsOf(before) : null;
  const afterFacts = factsOf(after);
  if (
    before?.sla_clocks &&
    beforeFacts?.status === afterFacts.status &&
    beforeFacts.priority === afterFacts.priority &&
    beforeFacts.first_response_at === afterFacts.first_response_at
  ) {
    return { set: {}, record: async () => {} };
  }
  const repo = slaRepository(trx);
  const settings = await repo.settings();
  const policy = settings.policy(await repo.tierOf(after.customer_id));
  const calendars = calendarLookup(settings);
  const terms = termsFor(policy, after.priority, calendars);
  let change: SlaChange;
  let previous: DueCheck[] = [];
  if (!before || !beforeFacts) {
    change = startClocks(terms, now);
  } else {
    let base: SlaChange;
    if (before.sla_clocks) {
      base = { clocks: JSON.parse(before.sla_clocks) as SlaClocks, events: [] };
      previous = pendingDueChecks(base.clocks);
    } else {
      base = adoptTicket(before.created_at, beforeFacts, termsFor(policy, before.priority, calendars), calendars, now);
    }
    const next = slaAfterChange(base.clocks, beforeFacts, afterFacts, terms, calendars, now);
    change = { clocks: next.clocks, events: [...base.events, ...next.events] };
  }
  return {
    set: slaColumns(change.clocks, calendars, now),
    record: async (ticket) => {
      await repo.insertHistory(slaHistory(ticket, change.events, now));
      await scheduleDueChecks(trx, ticket.id, pendingDueChecks(change.clocks), previous, now);
    },
  };
}

/**
 * Restarts a ticket's SLA clocks as if it had been opened at `openedAt`, with its current status
 * applied now (demo data, imports of older tickets): its due checks are scheduled, so warnings and
 * breaches already past are raised by the worker like any other.
 */
export async function backdateTicket(
  db: Kysely<Database>,
  ticketId: TicketId,
  openedAt: Date,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const repo = slaRepository(trx);
    const ticket = await repo.findTicket(ticketId);
    if (!ticket) return;
    const settings = await repo.settings();
    const calendars = calendarLookup(settings);
    const terms = termsFor(settings.policy(await repo.tierOf(ticket.customer_id)), ticket.priority, calendars);
    const change = adoptTicket(openedAt.toISOString(), factsOf(ticket), terms, calendars, now);
    const updated = await repo.updateTicket(ticket.id, ticket.version, {
      created_at: openedAt.toISOString(),
      ...slaColumns(change.clocks, calendars, now),
      version: ticket.version + 1,
    });
    if (!updated) throw new Error(`ticket ${ticketId} changed while being backdated`);
    await scheduleDueChecks(trx, ticket.id, pendingDueChecks(change.clocks), [], now);
  });
}
