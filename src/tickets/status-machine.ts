import type { TicketStatus } from './tables.ts';

/** Who moves a ticket: a tenant user, a SecureBase staff member, or the system (automatic rules). */
export type TransitionActor = 'customer' | 'staff' | 'system';

/** Every status, in the order lists and error messages show them. */
export const TICKET_STATUSES: readonly TicketStatus[] = [
  'open',
  'in-progress',
  'waiting-customer',
  'resolved',
  'closed',
];

/**
 * The transitions of tickets.md, per actor. `system` covers the automatic moves: a customer's
 * public reply takes `waiting-customer` back to `open`/`in-progress`, and resolved tickets close
 * after the auto-close period. `closed` is final.
 */
const TRANSITIONS: Record<TicketStatus, Record<TransitionActor, readonly TicketStatus[]>> = {
  open: {
    customer: ['resolved', 'closed'],
    staff: ['in-progress', 'waiting-customer', 'resolved', 'closed'],
    system: [],
  },
  'in-progress': {
    customer: ['resolved'],
    staff: ['open', 'waiting-customer', 'resolved'],
    system: [],
  },
  'waiting-customer': {
    customer: [],
    staff: ['in-progress'],
    system: ['open', 'in-progress'],
  },
  resolved: {
    customer: ['open', 'closed'],
    staff: ['open', 'closed'],
    system: ['open', 'closed'],
  },
  closed: { customer: [], staff: [], system: [] },
};

/**
 * The statuses `actor` may move a ticket to from `from`, in canonical order.
 *
 * @example allowedTransitions('open', 'customer') // ['resolved', 'closed']
 */
export function allowedTransitions(from: TicketStatus, actor: TransitionActor): TicketStatus[] {
  const allowed = TRANSITIONS[from][actor];
  return TICKET_STATUSES.filter((status) => allowed.includes(status));
}

/** True when `actor` may move a ticket from `from` to `to` (staying put is not a transition). */
export function canTransition(from: TicketStatus, to: TicketStatus, actor: TransitionActor): boolean {
  return allowedTransitions(from, actor).includes(to);
}

/**
 * Where a customer's public reply takes the ticket: back to work when staff were waiting on
 * them, reopened when it was resolved; `null` when the status stays.
 */
export function statusAfterCustomerReply(
  from: TicketStatus,
  assigned: boolean,
  withinReopenWindow: boolean,
): TicketStatus | null {
  if (from === 'waiting-customer') return assigned ? 'in-progress' : 'open';
  if (from === 'resolved' && withinReopenWindow) return 'open';
  return null;
}
