import type { TicketStatus } from './fields.ts';

export type Actor = 'customer' | 'staff';

/**
 * The moves of src/tickets/status-machine.ts per actor. A customer's reply (not a button) takes a
 * ticket out of waiting-customer, so customers have no action there; closed is final.
 */
const TRANSITIONS: Record<TicketStatus, Record<Actor, readonly TicketStatus[]>> = {
  open: { customer: ['resolved', 'closed'], staff: ['in-progress', 'waiting-customer', 'resolved', 'closed'] },
  'in-progress': { customer: ['resolved'], staff: ['open', 'waiting-customer', 'resolved'] },
  'waiting-customer': { customer: [], staff: ['in-progress'] },
  resolved: { customer: ['open', 'closed'], staff: ['open', 'closed'] },
  closed: { customer: [], staff: [] },
};

export interface StatusAction {
  to: TicketStatus;
  label: string;
  /** Closing is final: the page asks first. */
  confirm: boolean;
}

function labelOf(from: TicketStatus, to: TicketStatus): string {
  if (to === 'resolved') return 'Resolve';
  if (to === 'closed') return 'Close';
  if (to === 'in-progress') return from === 'waiting-customer' ? 'Resume work' : 'Start work';
  if (to === 'waiting-customer') return 'Wait on customer';
  return from === 'resolved' ? 'Reopen' : 'Back to open';
}

/** The status buttons `actor` gets on a ticket in `status`; none without write access. */
export function statusActions(status: TicketStatus, actor: Actor, canWrite: boolean): StatusAction[] {
  if (!canWrite) return [];
  return TRANSITIONS[status][actor].map((to) => ({ to, label: labelOf(status, to), confirm: to === 'closed' }));
}
