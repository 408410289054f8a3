import { addComment } from './use-cases/add-comment.ts';
import { agents } from './use-cases/agents.ts';
import { createTicket } from './use-cases/create-ticket.ts';
import type { TicketUseCaseDeps } from './use-cases/deps.ts';
import { getTicket } from './use-cases/get-ticket.ts';
import { listComments } from './use-cases/list-comments.ts';
import { listHistory } from './use-cases/list-history.ts';
import { listTickets } from './use-cases/list-tickets.ts';
import { satisfaction } from './use-cases/satisfaction.ts';
import { updateTicket } from './use-cases/update-ticket.ts';

/**
 * The support-ticket rules, one module per use case under `use-cases/`: who may do what, the
 * status machine, per-tenant numbers, history and the `ticket.*` events, each written in the
 * transaction of the change that causes it. This only assembles them over shared dependencies.
 */
export function createTicketService(deps: TicketUseCaseDeps) {
  return {
    create: createTicket(deps),
    list: listTickets(deps),
    get: getTicket(deps),
    update: updateTicket(deps),
    addComment: addComment(deps),
    listComments: listComments(deps),
    listHistory: listHistory(deps),
    satisfaction: satisfaction(deps),
    agents: agents(deps),
  };
}

/** The ticket service as routes receive it. */
export type TicketService = ReturnType<typeof createTicketService>;
