import type { Transaction } from 'kysely';
import type { Database } from '../../database/schema.ts';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { LIMITS } from '../fields.ts';
import { newCommentId } from '../ids.ts';
import { presentComment, presentTicket, ticketReference } from '../presenter.ts';
import type { Ticket, TicketComment, TicketRepository } from '../repository.ts';
import { statusAfterCustomerReply } from '../status-machine.ts';
import type { TicketStatus } from '../tables.ts';
import { withinReopenWindow } from '../update-plan.ts';
import type { FieldChange } from '../update-plan.ts';
import { actorIdOf, audienceOf } from './deps.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { insertTicket } from './create-ticket.ts';
import { resolveTicket } from './resolve-ticket.ts';
import { emitChanges, historyOf, STALE, withVersionRetry } from './ticket-changes.ts';

/** A comment as the caller sends it: `body`, or its older name `text`. */
export interface AddCommentInput {
  body?: string | undefined;
  text?: string | undefined;
  visibility?: 'public' | 'internal' | undefined;
}

const FOLLOW_UP_HINT = "A customer's reply to a closed ticket opens a follow-up ticket that links it";

// A comment names no status: the refusal says what state the ticket is in, not which move failed.
function closedTakesNoComments(ticket: Ticket): AppError {
  return new AppError('conflict', `Ticket ${ticketReference(ticket.number)} is closed and takes no more comments`, {
    extra: { current_status: 'closed', hint: FOLLOW_UP_HINT },
  });
}

/** The subject of a follow-up: the old reference and subject, within the subject limit. */
export function followUpSubject(ticket: Pick<Ticket, 'number' | 'subject'>): string {
  return [...`Follow-up to ${ticketReference(ticket.number)}: ${ticket.subject}`].slice(0, LIMITS.subject.max).join('');
}

/**
 * A customer replied to a ticket that no longer takes replies (closed, or resolved past its reopen
 * window): a new ticket in the same tenant that links the old one, with the reply as its first
 * comment, and a history entry on the old ticket pointing at the new one — linked both ways.
 */
async function openFollowUp(
  deps: TicketUseCaseDeps,
  trx: Transaction<Database>,
  repo: TicketRepository,
  auth: AuthContext,
  old: Ticket,
  row: TicketComment,
  now: Date,
): Promise<TicketComment> {
  const reference = ticketReference(old.number);
  const followUp = await insertTicket(deps, trx, repo, auth, now, {
    customerId: old.customer_id,
    subject: followUpSubject(old),
    description: `Follow-up to ${reference} ("${old.subject}"), opened by the customer's reply after it was ${old.status}. The reply is the first comment.`,
    priority: old.priority,
    category: old.category,
    tags: JSON.parse(old.tags) as string[],
    followUpOf: old.id,
    commentCount: 1,
  });
  const comment = { ...row, ticket_id: followUp.id };
  await repo.insertComment(comment);
  await repo.insertHistory(
    historyOf(old, auth, [{ field: 'follow_up', from: null, to: ticketReference(followUp.number) }], now),
  );
  const commented = { ticket: presentTicket(followUp, 'customer'), comment: presentComment(comment) };
  await deps.emitEvent(trx, { type: 'ticket.commented', customerId: old.customer_id, data: commented }, now);
  return comment;
}

/** The text of the comment and the field it came in. */
function commentText(input: AddCommentInput): string {
  if (input.body !== undefined && input.text !== undefined)
    throw invalidField('text', 'cannot be given together with body');
  const field = input.body !== undefined ? 'body' : 'text';
  const text = input.body ?? input.text;
  if (text === undefined) throw invalidField('body', 'is required');
  if (text.trim().length === 0)
    throw invalidField(field, `must be ${LIMITS.comment.min}–${LIMITS.comment.max} characters`);
  return text;
}

/**
 * Adds a comment. Internal notes (staff only) touch nothing a customer can see. A customer's
 * public reply moves waiting-customer back to work, reopens a resolved ticket within the reopen
 * window, and on a closed ticket (or one resolved past the window) opens a follow-up ticket:
 * the returned comment then belongs to the follow-up (its `ticket_id`).
 */
export function addComment(deps: TicketUseCaseDeps) {
  return async function addComment(auth: AuthContext, ref: string, input: AddCommentInput): Promise<TicketComment> {
    const text = commentText(input);
    const visibility = input.visibility ?? 'public';
    if (visibility === 'internal' && !auth.isStaff) {
      throw new AppError('forbidden', 'Only staff may write internal notes', {
        errors: [{ field: 'visibility', message: 'internal is for staff only' }],
      });
    }
    const scope = scopeOf(auth);
    const audience = audienceOf(auth);
    let wrote = false;
    const comment = await withVersionRetry(deps.db, async (trx) => {
      const repo = deps.tickets(trx, scope);
      const ticket = await resolveTicket(repo, ref);
      const now = deps.clock();
      const iso = now.toISOString();
      const row: TicketComment = {
        id: newCommentId(now),
        ticket_id: ticket.id,
        customer_id: ticket.customer_id,
        author_id: actorIdOf(auth),
        author_role: audience,
        body: text,
        visibility,
        created_at: iso,
      };
      if (visibility === 'internal') {
        await repo.insertComment(row);
        await repo.countInternalNote(ticket.id);
        return row;
      }
      const reopenable = ticket.status === 'resolved' && withinReopenWindow(ticket, now, deps.reopenWindowMs);
      if (audience === 'customer' && (ticket.status === 'closed' || (ticket.status === 'resolved' && !reopenable))) {
        const followed = await openFollowUp(deps, trx, repo, auth, ticket, row, now);
        wrote = true;
        return followed;
      }
      if (ticket.status === 'closed') throw closedTakesNoComments(ticket);
      const changes: FieldChange[] = [];
      let status: TicketStatus | null = null;
      if (audience === 'customer') {
        status = statusAfterCustomerReply(ticket.status, ticket.assignee_id !== null, true);
        if (status) changes.push({ field: 'status', from: ticket.status, to: status });
      }
      const set = {
        comment_count: ticket.comment_count + 1,
        version: ticket.version + 1,
        updated_at: iso,
        last_activity_at: iso,
        ...(audience === 'staff' && !ticket.first_response_at ? { first_response_at: iso } : {}),
        ...(status ? { status, ...(ticket.status === 'resolved' ? { resolved_at: null } : {}) } : {}),
      };
      const sla = await deps.planSla(trx, ticket, { ...ticket, ...set }, now);
      const updated = await repo.update(ticket.id, ticket.version, { ...set, ...sla.set });
      if (!updated) return STALE;
      await repo.insertComment(row);
      await repo.insertHistory(historyOf(updated, auth, changes, now));
      await sla.record(updated);
      const commented = { ticket: presentTicket(updated, 'customer'), comment: presentComment(row) };
      await deps.emitEvent(trx, { type: 'ticket.commented', customerId: ticket.customer_id, data: commented }, now);
      await emitChanges(deps.emitEvent, trx, updated, changes, now, actorIdOf(auth));
      wrote = true;
      return row;
    });
    if (wrote) deps.wakeWorkers();
    return comment;
  };
}
