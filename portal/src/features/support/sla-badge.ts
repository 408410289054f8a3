import { formatDuration } from '../../ui/format.ts';

/** The ticket fields the SLA badge reads (as `GET /v1/support/tickets` answers them). */
export interface SlaFields {
  status: 'open' | 'in-progress' | 'waiting-customer' | 'resolved' | 'closed';
  sla_status: 'on_track' | 'at_risk' | 'breached' | 'met';
  sla_due_date: string | null;
  first_response_at: string | null;
}

export type BadgeTone = 'neutral' | 'info' | 'warning' | 'danger' | 'success';

export interface SlaBadge {
  label: string;
  tone: BadgeTone;
}

/**
 * What the SLA badge says about a ticket at `now` (milliseconds): time left on the clock still
 * running, at risk, or breached with how long ago. The server's `sla_status` is recomputed by its
 * jobs, so a due time already past counts as breached here even while the status still says
 * on track.
 */
export function slaBadge(ticket: SlaFields, now: number): SlaBadge {
  const clock = ticket.first_response_at === null ? 'Response' : 'Resolution';
  const due = ticket.sla_due_date === null ? null : Date.parse(ticket.sla_due_date);
  if (ticket.sla_status === 'breached') {
    return {
      label: due !== null && due < now ? `SLA breached ${formatDuration(now - due)} ago` : 'SLA breached',
      tone: 'danger',
    };
  }
  if (ticket.status === 'resolved' || ticket.status === 'closed' || ticket.sla_status === 'met') {
    return { label: 'SLA met', tone: 'success' };
  }
  // Waiting on the customer pauses the clocks (the server has no due time meanwhile).
  if (ticket.status === 'waiting-customer') return { label: 'SLA paused', tone: 'neutral' };
  if (due === null) return { label: 'No SLA target', tone: 'neutral' };
  if (due <= now) return { label: `SLA breached ${formatDuration(now - due)} ago`, tone: 'danger' };
  if (ticket.sla_status === 'at_risk')
    return { label: `At risk: ${clock.toLowerCase()} in ${formatDuration(due - now)}`, tone: 'warning' };
  return { label: `${clock} due in ${formatDuration(due - now)}`, tone: 'info' };
}

/** The badge class of a tone (styles.css). */
export function badgeClass(tone: BadgeTone): string {
  return tone === 'neutral' ? 'badge' : `badge badge-${tone}`;
}
