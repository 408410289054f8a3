import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { PageRequest, Ticket, TicketComment } from '../repository.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { resolveTicket } from './resolve-ticket.ts';

/** Comments of a ticket, oldest first, with the ticket; customers never see internal notes. */
export function listComments(deps: TicketUseCaseDeps) {
  return async function listComments(
    auth: AuthContext,
    ref: string,
    page: PageRequest,
  ): Promise<{ ticket: Ticket; page: Page<TicketComment> }> {
    const repo = deps.tickets(deps.db, scopeOf(auth));
    const ticket = await resolveTicket(repo, ref);
    const rows = await repo.listComments(ticket.id, auth.isStaff, page);
    return {
      ticket,
      page: toPage(rows, { name: 'created_at' }, page.limit, (c) => ({ value: c.created_at, id: c.id })),
    };
  };
}
