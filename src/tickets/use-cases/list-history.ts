import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { PageRequest, TicketHistoryEntry } from '../repository.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { resolveTicket } from './resolve-ticket.ts';

/** History of a ticket, oldest first; customers see the public entries. */
export function listHistory(deps: TicketUseCaseDeps) {
  return async function listHistory(
    auth: AuthContext,
    ref: string,
    page: PageRequest,
  ): Promise<Page<TicketHistoryEntry>> {
    const repo = deps.tickets(deps.db, scopeOf(auth));
    const ticket = await resolveTicket(repo, ref);
    const rows = await repo.listHistory(ticket.id, auth.isStaff, page);
    return toPage(rows, { name: 'created_at' }, page.limit, (h) => ({ value: h.created_at, id: h.id }));
  };
}
