import { AppError } from '../errors/app-error.ts';
import type { Ticket } from './repository.ts';
import { PRIORITY_RANK } from './repository.ts';
import { allowedTransitions } from './status-machine.ts';
import type { TransitionActor } from './status-machine.ts';
import type { TicketCategory, TicketPriority, TicketStatus, TicketsTable } from './tables.ts';

/** The fields a PATCH may change, already validated by the schema. */
export interface TicketPatch {
  status?: TicketStatus | undefined;
  priority?: TicketPriority | undefined;
  category?: TicketCategory | undefined;
  assignee_id?: string | null | undefined;
  tags?: string[] | undefined;
}

/** One changed field, as it appears in history and in `ticket.updated`'s `changes`. */
export interface FieldChange {
  field: 'status' | 'priority' | 'category' | 'assignee_id' | 'tags' | 'follow_up';
  from: unknown;
  to: unknown;
}

/** What an update does: the columns to set and the changes to record. Empty `changes`: nothing to do. */
export interface UpdatePlan {
  set: Partial<
    Pick<TicketsTable, 'status' | 'priority' | 'category' | 'assignee_id' | 'tags' | 'resolved_at' | 'closed_at'>
  >;
  changes: FieldChange[];
}

/** Trims, drops empty and duplicate tags, keeping their order. */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter((tag) => tag.length > 0))];
}

/** 409 naming the transitions the caller could make instead. */
function transitionError(from: TicketStatus, to: TicketStatus, actor: TransitionActor, hint?: string): AppError {
  const allowed = allowedTransitions(from, actor);
  const message = `cannot move from ${from} to ${to}${allowed.length ? `; allowed: ${allowed.join(', ')}` : '; no transitions are allowed'}`;
  const article = /^[aeiou]/.test(from) ? 'An' : 'A';
  return new AppError('invalid_transition', `${article} ${from} ticket ${message}`, {
    errors: [{ field: 'status', message }],
    extra: { current_status: from, allowed_transitions: allowed, ...(hint ? { hint } : {}) },
  });
}

/** True while a resolved ticket may still be reopened by its customer. */
export function withinReopenWindow(ticket: Pick<Ticket, 'resolved_at'>, now: Date, reopenWindowMs: number): boolean {
  return ticket.resolved_at !== null && now.getTime() - Date.parse(ticket.resolved_at) <= reopenWindowMs;
}

/**
 * The role rules of a PATCH, pure: staff change anything; customers may not assign, may only
 * raise the priority, and move the status only along their transitions. Closed is final.
 */
export function planUpdate(
  ticket: Ticket,
  patch: TicketPatch,
  actor: 'customer' | 'staff',
  now: Date,
  reopenWindowMs: number,
): UpdatePlan {
  const plan: UpdatePlan = { set: {}, changes: [] };
  const iso = now.toISOString();

  if (patch.assignee_id !== undefined && actor !== 'staff') {
    throw new AppError('forbidden', 'Only staff may assign tickets', {
      errors: [{ field: 'assignee_id', message: 'may only be set by staff' }],
    });
  }
  if (patch.status !== undefined && patch.status !== ticket.status) {
    const from = ticket.status;
    const to = patch.status;
    if (!allowedTransitions(from, actor).includes(to)) {
      throw transitionError(
        from,
        to,
        actor,
        from === 'closed'
          ? 'Closed tickets are final; a customer reply opens a follow-up ticket that links it'
          : undefined,
      );
    }
    if (
      from === 'resolved' &&
      to === 'open' &&
      actor === 'customer' &&
      !withinReopenWindow(ticket, now, reopenWindowMs)
    ) {
      throw transitionError(
        from,
        to,
        actor,
        'The reopen window has passed; a reply opens a follow-up ticket that links it',
      );
    }
    plan.set.status = to;
    if (to === 'resolved') plan.set.resolved_at = iso;
    if (from === 'resolved' && to === 'open') plan.set.resolved_at = null;
    if (to === 'closed') plan.set.closed_at = iso;
    plan.changes.push({ field: 'status', from, to });
  }
  if (patch.priority !== undefined && patch.priority !== ticket.priority) {
    if (actor === 'customer' && PRIORITY_RANK[patch.priority] < PRIORITY_RANK[ticket.priority]) {
      throw new AppError('forbidden', 'Customers may only raise the priority', {
        errors: [{ field: 'priority', message: `may only be raised above ${ticket.priority}` }],
      });
    }
    // The SLA engine re-targets the clocks from the business time counted (sla-engine.ts).
    plan.set.priority = patch.priority;
    plan.changes.push({ field: 'priority', from: ticket.priority, to: patch.priority });
  }
  if (patch.category !== undefined && patch.category !== ticket.category) {
    plan.set.category = patch.category;
    plan.changes.push({ field: 'category', from: ticket.category, to: patch.category });
  }
  if (patch.assignee_id !== undefined && patch.assignee_id !== ticket.assignee_id) {
    plan.set.assignee_id = patch.assignee_id;
    plan.changes.push({ field: 'assignee_id', from: ticket.assignee_id, to: patch.assignee_id });
  }
  if (patch.tags !== undefined) {
    const before = JSON.parse(ticket.tags) as string[];
    const after = normaliseTags(patch.tags);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      plan.set.tags = JSON.stringify(after);
      plan.changes.push({ field: 'tags', from: before, to: after });
    }
  }
  if (ticket.status === 'closed' && plan.changes.length > 0) {
    throw new AppError('conflict', 'Closed tickets are final and cannot be changed', {
      errors: [{ field: plan.changes[0]?.field ?? 'status', message: 'cannot change on a closed ticket' }],
      extra: { current_status: 'closed', allowed_transitions: [] },
    });
  }
  return plan;
}
