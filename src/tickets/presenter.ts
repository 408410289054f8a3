import type { Static } from 'typebox';
import type { Ticket, TicketComment, TicketHistoryEntry } from './repository.ts';
import type { CommentView, HistoryView, TicketView } from './schemas.ts';
import { nextSlaDue } from './sla-targets.ts';

/** `SB-1042`: how people refer to a ticket. */
export function ticketReference(number: number): string {
  return `SB-${number}`;
}

/**
 * The ETag of a ticket as its reader sees it: the version, plus for staff the internal-note count,
 * since an internal note changes the staff view without a new version (customers must not see it
 * move). `If-Match` compares the version part only (see `etagMatches`).
 */
export function ticketEtag(
  ticket: Pick<Ticket, 'version' | 'internal_comment_count'>,
  audience: 'customer' | 'staff',
): string {
  return audience === 'staff' ? `"${ticket.version}.${ticket.internal_comment_count}"` : `"${ticket.version}"`;
}

/**
 * The ticket as a reader sees it. Customers (and events, which reach customers' webhooks) get
 * the customer view, which never reveals internal notes; staff also get the internal count.
 */
export function presentTicket(
  ticket: Omit<Ticket, 'sla_clocks'>,
  audience: 'customer' | 'staff',
): Static<typeof TicketView> {
  return {
    id: ticket.id,
    number: ticket.number,
    reference: ticketReference(ticket.number),
    customer_id: ticket.customer_id,
    subject: ticket.subject,
    description: ticket.description,
    priority: ticket.priority,
    category: ticket.category,
    status: ticket.status,
    created_by: ticket.created_by,
    assignee_id: ticket.assignee_id,
    tags: JSON.parse(ticket.tags) as string[],
    created_at: ticket.created_at,
    updated_at: ticket.updated_at,
    first_response_at: ticket.first_response_at,
    resolved_at: ticket.resolved_at,
    closed_at: ticket.closed_at,
    last_activity_at: ticket.last_activity_at,
    comment_count: ticket.comment_count,
    ...(audience === 'staff' ? { internal_comment_count: ticket.internal_comment_count } : {}),
    sla_status: ticket.sla_status,
    sla_first_response_due_at: ticket.sla_first_response_due_at,
    sla_resolution_due_at: ticket.sla_resolution_due_at,
    sla_due_date: nextSlaDue(ticket),
    follow_up_of: ticket.follow_up_of,
    version: ticket.version,
  };
}

/** A comment (callers only pass comments the reader may see); routes add its attachments. */
export function presentComment(comment: TicketComment): Omit<Static<typeof CommentView>, 'attachments'> {
  return {
    id: comment.id,
    ticket_id: comment.ticket_id,
    author_id: comment.author_id,
    author_role: comment.author_role,
    body: comment.body,
    visibility: comment.visibility,
    created_at: comment.created_at,
  };
}

/** A history entry with its stored JSON values decoded. */
export function presentHistory(entry: TicketHistoryEntry): Static<typeof HistoryView> {
  return {
    id: entry.id,
    ticket_id: entry.ticket_id,
    field: entry.field,
    from: entry.from_value === null ? null : (JSON.parse(entry.from_value) as unknown),
    to: entry.to_value === null ? null : (JSON.parse(entry.to_value) as unknown),
    actor_id: entry.actor_id,
    actor_role: entry.actor_role,
    visibility: entry.visibility,
    created_at: entry.created_at,
  };
}
