import { uuidv7 } from '../../database/ids.ts';
import { AppError, forbidden, invalidField } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { SatisfactionAggregate, SatisfactionGroup, SatisfactionRating } from '../desk-repository.ts';
import { presentTicket, ticketReference } from '../presenter.ts';
import { presentSatisfaction } from '../desk/presenter.ts';
import type { TicketSatisfactionTable } from '../tables.ts';
import { actorIdOf } from './deps.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { readScope, resolveTicket } from './resolve-ticket.ts';

/** A rating as the customer sends it (range checked by the schema, and again here). */
export interface RateInput {
  rating: number;
  comment?: string | undefined;
}

/** Filters of the CSAT summary. */
export interface SummaryInput {
  customer_id?: string | undefined;
  agent_id?: string | undefined;
  rated_after?: string | undefined;
  rated_before?: string | undefined;
}

/** The CSAT summary: overall, per tenant and per agent. */
export interface SatisfactionSummary extends SatisfactionAggregate {
  by_customer: SatisfactionGroup[];
  by_agent: SatisfactionGroup[];
}

const isoOf = (field: string, value: string): string => {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidField(field, 'must be a date-time');
  return new Date(time).toISOString();
};

/**
 * CSAT: the requester's tenant rates a resolution of its ticket once (a reopen and a new
 * resolution may be rated again); the rating counts for the assignee at that resolution.
 */
export function satisfaction(deps: TicketUseCaseDeps) {
  return {
    async rate(auth: AuthContext, ref: string, input: RateInput): Promise<SatisfactionRating> {
      if (auth.isStaff) throw forbidden("Only the requester's tenant rates its support; staff cannot");
      if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5)
        throw invalidField('rating', 'must be a whole number from 1 to 5');
      const comment = input.comment?.trim() || null;
      const scope = scopeOf(auth);
      const rated = await deps.db.transaction().execute(async (trx) => {
        const ticket = await resolveTicket(deps.tickets(trx, scope), ref);
        const reference = ticketReference(ticket.number);
        if (ticket.resolved_at === null || (ticket.status !== 'resolved' && ticket.status !== 'closed')) {
          throw new AppError('conflict', `Ticket ${reference} is not resolved; rate it once it is`, {
            errors: [{ field: 'rating', message: `the ticket is ${ticket.status}, not resolved` }],
            extra: { current_status: ticket.status },
          });
        }
        const now = deps.clock();
        const ratings = deps.satisfaction(trx, scope);
        // The agent of the resolution: a reassignment after it does not move the rating.
        const reassignedFrom = await ratings.assigneeBefore(ticket.id, ticket.resolved_at);
        const row: TicketSatisfactionTable = {
          id: uuidv7(now.getTime()),
          ticket_id: ticket.id,
          customer_id: ticket.customer_id,
          resolved_at: ticket.resolved_at,
          rating: input.rating,
          comment,
          rated_by: actorIdOf(auth),
          agent_id: reassignedFrom === undefined ? ticket.assignee_id : reassignedFrom,
          created_at: now.toISOString(),
        };
        if (!(await ratings.insert(row))) {
          throw new AppError('conflict', `This resolution of ${reference} is rated already`, {
            errors: [{ field: 'rating', message: 'one rating per resolution' }],
            extra: { resolved_at: ticket.resolved_at },
          });
        }
        await deps.emitEvent(
          trx,
          {
            type: 'ticket.satisfaction_rated',
            customerId: ticket.customer_id,
            data: { ticket: presentTicket(ticket, 'customer'), satisfaction: presentSatisfaction(row) },
          },
          now,
        );
        return row;
      });
      deps.wakeWorkers();
      return rated;
    },

    /** The ratings of a ticket the caller may see, oldest first. */
    async listForTicket(auth: AuthContext, ref: string): Promise<SatisfactionRating[]> {
      const scope = scopeOf(auth);
      const ticket = await resolveTicket(deps.tickets(deps.db, scope), ref);
      return deps.satisfaction(deps.db, scope).listForTicket(ticket.id);
    },

    /** Aggregates for platform admins (the route requires `tenants:manage`). */
    async summary(auth: AuthContext, input: SummaryInput): Promise<SatisfactionSummary> {
      const repo = deps.satisfaction(deps.db, readScope(auth, input.customer_id));
      const filters = {
        agentId: input.agent_id?.toLowerCase(),
        ratedAfter: input.rated_after === undefined ? undefined : isoOf('rated_after', input.rated_after),
        ratedBefore: input.rated_before === undefined ? undefined : isoOf('rated_before', input.rated_before),
      };
      const [overall, byCustomer, byAgent] = await Promise.all([
        repo.aggregate(filters),
        repo.groups('customer_id', filters),
        repo.groups('agent_id', filters),
      ]);
      return { ...overall, by_customer: byCustomer, by_agent: byAgent };
    },
  };
}
