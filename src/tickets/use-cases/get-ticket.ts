import type { AuthContext } from '../../identity/auth-context.ts';
import type { Ticket, TicketComment } from '../repository.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { readScope, resolveTicket } from './resolve-ticket.ts';

// The ticket view carries the first comments; more are paged through the comments list.
const COMMENTS_ON_TICKET = 200;

/** A ticket with the comments the caller may see (staff: internal notes too). */
export function getTicket(deps: TicketUseCaseDeps) {
  return async function get(
    auth: AuthContext,
    ref: string,
    customerId?: string,
  ): Promise<{ ticket: Ticket; comments: TicketComment[] }> {
    const repo = deps.tickets(deps.db, readScope(auth, customerId));
    const ticket = await resolveTicket(repo, ref);
    const comments = await repo.listComments(ticket.id, auth.isStaff, { limit: COMMENTS_ON_TICKET });
    return { ticket, comments: comments.slice(0, COMMENTS_ON_TICKET) };
  };
}
