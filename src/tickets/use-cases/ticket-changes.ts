import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../database/schema.ts';
import type { emitEvent } from '../../events/outbox.ts';
import { AppError } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { newTicketHistoryId } from '../ids.ts';
import { presentTicket } from '../presenter.ts';
import type { Ticket } from '../repository.ts';
import type { TicketHistoryTable } from '../tables.ts';
import type { FieldChange } from '../update-plan.ts';
import { actorIdOf, audienceOf } from './deps.ts';

/** Returned by a write attempt that lost the race for the ticket's version: run it again. */
export const STALE = Symbol('stale');
const MAX_ATTEMPTS = 10;

/** Runs a write transaction again when a concurrent writer bumped the version first. */
export async function withVersionRetry<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T | typeof STALE>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const result = await db.transaction().execute(work);
    if (result !== STALE) return result;
    if (attempt >= MAX_ATTEMPTS)
      throw new AppError('conflict', 'The ticket is being changed by someone else; try again');
  }
}

/** One public history entry per changed field, by the caller. */
export function historyOf(ticket: Ticket, auth: AuthContext, changes: FieldChange[], now: Date): TicketHistoryTable[] {
  const iso = now.toISOString();
  return changes.map((change) => ({
    id: newTicketHistoryId(now),
    ticket_id: ticket.id,
    customer_id: ticket.customer_id,
    actor_id: actorIdOf(auth),
    actor_role: audienceOf(auth),
    field: change.field,
    from_value: change.from === null ? null : JSON.stringify(change.from),
    to_value: change.to === null ? null : JSON.stringify(change.to),
    visibility: 'public' as const,
    created_at: iso,
  }));
}

/**
 * `ticket.updated` plus the lifecycle event of a status change, in the caller's transaction.
 * `ticket.resolved` names who resolved it (`resolved_by`), so notifications spare that person.
 */
export async function emitChanges(
  emit: typeof emitEvent,
  trx: Transaction<Database>,
  ticket: Ticket,
  changes: FieldChange[],
  now: Date,
  /** Who made the change; null for the system (e.g. auto-close). */
  actorId: string | null,
): Promise<void> {
  if (changes.length === 0) return;
  const view = presentTicket(ticket, 'customer');
  const customerId = ticket.customer_id;
  const diff = Object.fromEntries(changes.map((c) => [c.field, { from: c.from, to: c.to }]));
  await emit(trx, { type: 'ticket.updated', customerId, data: { ticket: view, changes: diff } }, now);
  const assignee = changes.find((c) => c.field === 'assignee_id');
  if (assignee) await emitAssigned(emit, trx, ticket, assignee.from as string | null, now, actorId);
  const status = changes.find((c) => c.field === 'status');
  if (!status) return;
  if (status.to === 'resolved') {
    const resolutionTime = Math.round((now.getTime() - Date.parse(ticket.created_at)) / 1000);
    await emit(
      trx,
      {
        type: 'ticket.resolved',
        customerId,
        data: { ticket: view, resolution_time: resolutionTime, ...(actorId ? { resolved_by: actorId } : {}) },
      },
      now,
    );
  } else if (status.from === 'resolved' && status.to === 'open') {
    await emit(trx, { type: 'ticket.reopened', customerId, data: { ticket: view } }, now);
  } else if (status.to === 'closed') {
    await emit(trx, { type: 'ticket.closed', customerId, data: { ticket: view } }, now);
  }
}

/** History entries of a change the system made by itself (auto-close, round-robin), with no actor. */
export function systemHistoryOf(ticket: Ticket, changes: FieldChange[], now: Date): TicketHistoryTable[] {
  const iso = now.toISOString();
  return changes.map((change) => ({
    id: newTicketHistoryId(now),
    ticket_id: ticket.id,
    customer_id: ticket.customer_id,
    actor_id: null,
    actor_role: 'system' as const,
    field: change.field,
    from_value: change.from === null ? null : JSON.stringify(change.from),
    to_value: change.to === null ? null : JSON.stringify(change.to),
    visibility: 'public' as const,
    created_at: iso,
  }));
}

/** `ticket.assigned`: the assignee changed (to a staff user, or to nobody). */
export async function emitAssigned(
  emit: typeof emitEvent,
  trx: Transaction<Database>,
  ticket: Ticket,
  previousAssigneeId: string | null,
  now: Date,
  /** Who assigned it; null when round-robin did. */
  assignedBy: string | null,
): Promise<void> {
  await emit(
    trx,
    {
      type: 'ticket.assigned',
      customerId: ticket.customer_id,
      data: {
        ticket: presentTicket(ticket, 'customer'),
        assignee_id: ticket.assignee_id,
        previous_assignee_id: previousAssigneeId,
        assigned_by: assignedBy,
      },
    },
    now,
  );
}
