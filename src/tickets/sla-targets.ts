import type { TicketPriority } from './tables.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The seed's wall-clock targets (tier `standard`); the business-hours SLA engine replaces these later. */
export const SLA_TARGET_MS: Record<TicketPriority, { firstResponse: number; resolution: number }> = {
  critical: { firstResponse: 1 * HOUR, resolution: 8 * HOUR },
  high: { firstResponse: 4 * HOUR, resolution: 48 * HOUR },
  medium: { firstResponse: 24 * HOUR, resolution: 5 * DAY },
  low: { firstResponse: 48 * HOUR, resolution: 10 * DAY },
};

/** Both due times of a ticket, counted in wall-clock time from its creation. */
export interface SlaDueDates {
  firstResponseDueAt: string;
  resolutionDueAt: string;
}

/**
 * Due times for a ticket of `priority` created at `createdAt` (ISO). Pure.
 *
 * @example slaDueDates('critical', '2026-01-05T10:00:00.000Z').firstResponseDueAt // '2026-01-05T11:00:00.000Z'
 */
export function slaDueDates(priority: TicketPriority, createdAt: string): SlaDueDates {
  const start = Date.parse(createdAt);
  const target = SLA_TARGET_MS[priority];
  return {
    firstResponseDueAt: new Date(start + target.firstResponse).toISOString(),
    resolutionDueAt: new Date(start + target.resolution).toISOString(),
  };
}

/**
 * The seed's `sla_due_date`: the next clock that is still running — first response until staff
 * have replied publicly, then resolution until the ticket is resolved or closed; else null.
 */
export function nextSlaDue(ticket: {
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  sla_first_response_due_at: string | null;
  sla_resolution_due_at: string | null;
}): string | null {
  if (ticket.resolved_at || ticket.closed_at) return null;
  if (!ticket.first_response_at) return ticket.sla_first_response_due_at;
  return ticket.sla_resolution_due_at;
}
