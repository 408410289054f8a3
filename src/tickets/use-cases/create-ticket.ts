import type { Transaction } from 'kysely';
import type { Database } from '../../database/schema.ts';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext, TenantScope } from '../../identity/auth-context.ts';
import { LIMITS } from '../fields.ts';
import { newTicketId } from '../ids.ts';
import { presentTicket } from '../presenter.ts';
import type { TicketId } from '../ids.ts';
import type { Ticket, TicketRepository } from '../repository.ts';
import type { TicketCategory, TicketPriority } from '../tables.ts';
import { normaliseTags } from '../update-plan.ts';
import { actorIdOf } from './deps.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { emitAssigned, historyOf, systemHistoryOf } from './ticket-changes.ts';

/** A new ticket as the caller describes it (lengths already checked by the schema, untrimmed). */
export interface CreateTicketInput {
  subject: string;
  description: string;
  priority?: TicketPriority | undefined;
  category?: TicketCategory | undefined;
  tags?: string[] | undefined;
  /** Staff only: the tenant the ticket is for. */
  customer_id?: string | undefined;
}

const length = (text: string): number => [...text].length;

/** Customers open tickets in their own tenant; staff must name the tenant. */
function targetTenant(auth: AuthContext, input: CreateTicketInput): { scope: TenantScope; customerId: string } {
  if (auth.isStaff) {
    if (!input.customer_id) throw invalidField('customer_id', 'is required when staff open a ticket');
    const customerId = input.customer_id.toLowerCase();
    return { scope: scopeOf(auth, customerId), customerId };
  }
  if (input.customer_id !== undefined) {
    throw new AppError('forbidden', 'customer_id comes from your credential', {
      errors: [{ field: 'customer_id', message: 'may only be given by staff' }],
    });
  }
  const scope = scopeOf(auth);
  return { scope, customerId: scope.customerId as string };
}

/**
 * Opens a ticket in the caller's tenant (staff: in the tenant they name) with the next per-tenant
 * number, its SLA targets, the first history entry and `ticket.created`, in one transaction.
 */
export function createTicket(deps: TicketUseCaseDeps) {
  return async function create(auth: AuthContext, input: CreateTicketInput): Promise<Ticket> {
    const subject = input.subject.trim();
    if (length(subject) < LIMITS.subject.min) {
      throw invalidField(
        'subject',
        `must be ${LIMITS.subject.min}–${LIMITS.subject.max} characters, at least ${LIMITS.subject.min} after trimming`,
      );
    }
    if (length(input.description.trim()) < LIMITS.description.min) {
      throw invalidField(
        'description',
        `must be ${LIMITS.description.min}–${LIMITS.description.max} characters after trimming`,
      );
    }
    const { scope, customerId } = targetTenant(auth, input);
    const now = deps.clock();
    const ticket = await deps.db.transaction().execute(async (trx) =>
      insertTicket(deps, trx, deps.tickets(trx, scope), auth, now, {
        customerId,
        subject,
        description: input.description,
        priority: input.priority ?? 'medium',
        category: input.category ?? 'general',
        tags: normaliseTags(input.tags ?? []),
        followUpOf: null,
      }),
    );
    deps.wakeWorkers();
    return ticket;
  };
}

/** What a new ticket is made of, already validated and normalised. */
export interface NewTicketFields {
  customerId: string;
  subject: string;
  description: string;
  priority: TicketPriority;
  category: TicketCategory;
  tags: string[];
  followUpOf: TicketId | null;
  /** Public comments it starts with (a follow-up starts with the reply that caused it). */
  commentCount?: number;
}

/**
 * Inserts a ticket in the caller's transaction: the tenant's next number, SLA targets, the first
 * history entry, `ticket.created`, and — when round-robin is on and an agent is available — its
 * assignee (a system history entry and `ticket.assigned`). Shared by new tickets and follow-ups.
 */
export async function insertTicket(
  deps: TicketUseCaseDeps,
  trx: Transaction<Database>,
  repo: TicketRepository,
  auth: AuthContext,
  now: Date,
  fields: NewTicketFields,
): Promise<Ticket> {
  const iso = now.toISOString();
  const number = await repo.nextNumber();
  if (number === null) throw invalidField('customer_id', 'is not a known tenant');
  const assignee = deps.roundRobin ? await deps.agents(trx).takeNext(iso) : null;
  const draft: Ticket = {
    id: newTicketId(now),
    customer_id: fields.customerId,
    number,
    subject: fields.subject,
    description: fields.description,
    priority: fields.priority,
    category: fields.category,
    status: 'open',
    created_by: actorIdOf(auth),
    assignee_id: assignee,
    tags: JSON.stringify(fields.tags),
    created_at: iso,
    updated_at: iso,
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    last_activity_at: iso,
    comment_count: fields.commentCount ?? 0,
    internal_comment_count: 0,
    sla_first_response_due_at: null,
    sla_resolution_due_at: null,
    sla_status: 'on_track',
    sla_clocks: null,
    follow_up_of: fields.followUpOf,
    version: 1,
  };
  const sla = await deps.planSla(trx, null, draft, now);
  const row: Ticket = { ...draft, ...sla.set };
  await repo.insert(row);
  await repo.insertHistory(historyOf(row, auth, [{ field: 'status', from: null, to: 'open' }], now));
  await sla.record(row);
  await deps.emitEvent(
    trx,
    { type: 'ticket.created', customerId: row.customer_id, data: { ticket: presentTicket(row, 'customer') } },
    now,
  );
  if (assignee) {
    await repo.insertHistory(systemHistoryOf(row, [{ field: 'assignee_id', from: null, to: assignee }], now));
    await emitAssigned(deps.emitEvent, trx, row, null, now, null);
  }
  return row;
}
