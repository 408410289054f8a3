import type { AuthContext } from '../../identity/auth-context.ts';
import type { SatisfactionRating } from '../desk-repository.ts';
import type { Ticket, TicketComment } from '../repository.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { readScope, resolveTicket } from './resolve-ticket.ts';

// The ticket view carries the first comments; more are paged through the comments list.
const COMMENTS_ON_TICKET = 200;

/** The follow-up tickets opened from a ticket, as the ticket view links them. */
export type FollowUp = Pick<Ticket, 'id' | 'number' | 'status' | 'created_at'>;

/** A ticket with the comments the caller may see (staff: internal notes too), its follow-ups and CSAT ratings. */
export function getTicket(deps: TicketUseCaseDeps) {
  return async function get(
    auth: AuthContext,
    ref: string,
    customerId?: string,
  ): Promise<{ ticket: Ticket; comments: TicketComment[]; followUps: FollowUp[]; satisfaction: SatisfactionRating[] }> {
    const scope = readScope(auth, customerId);
    const repo = deps.tickets(deps.db, scope);
    const ticket = await resolveTicket(repo, ref);
    const [comments, followUps, satisfaction] = await Promise.all([
      repo.listComments(ticket.id, auth.isStaff, { limit: COMMENTS_ON_TICKET }),
      repo.listFollowUps(ticket.id),
      deps.satisfaction(deps.db, scope).listForTicket(ticket.id),
    ]);
    return { ticket, comments: comments.slice(0, COMMENTS_ON_TICKET), followUps, satisfaction };
  };
}
