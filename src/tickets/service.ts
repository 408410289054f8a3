import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../config/clock.ts';
import { isUuid, uuidv7 } from '../database/ids.ts';
import type { Database } from '../database/schema.ts';
import { emitEvent } from '../events/outbox.ts';
import { AppError, invalidField, notFound } from '../errors/app-error.ts';
import { toPage } from '../database/pagination.ts';
import type { Page } from '../database/pagination.ts';
import { scopeOf } from '../identity/auth-context.ts';
import type { AuthContext, TenantScope } from '../identity/auth-context.ts';
import { presentComment, presentTicket, ticketReference } from './presenter.ts';
import { PRIORITY_RANK, ticketRepository, ticketSortKey } from './repository.ts';
import type { SingleTenantScope, Ticket, TicketComment, TicketFilters, TicketHistoryEntry, TicketLookup, TicketRepository } from './repository.ts';
import { LIMITS, STATUSES } from './schemas.ts';
import type { CreateCommentBody, CreateTicketBody, ListTicketsQuery } from './schemas.ts';
import { slaDueDates } from './sla-targets.ts';
import { statusAfterCustomerReply } from './status-machine.ts';
import type { TicketStatus } from './tables.ts';
import { normaliseTags, planUpdate, withinReopenWindow } from './update-plan.ts';
import type { FieldChange, TicketPatch } from './update-plan.ts';

/** What the ticket service is built from. */
export interface TicketServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** Called after a commit that wrote events, so an in-process worker dispatches them at once. */
  wakeWorkers(): void;
  /** How long after resolution a customer may reopen (default 7 days). */
  reopenWindowMs?: number;
}

const DEFAULT_REOPEN_WINDOW_MS = 7 * 24 * 3_600_000;
const COMMENTS_ON_TICKET = 200;
const STALE = Symbol('stale');
const MAX_ATTEMPTS = 10;

type Audience = 'customer' | 'staff';
const audienceOf = (auth: AuthContext): Audience => (auth.isStaff ? 'staff' : 'customer');
/** The user behind the credential; CLI-made API keys have none, so their key id stands in. */
const actorIdOf = (auth: AuthContext): string => auth.userId ?? auth.credentialId;
const length = (text: string): number => [...text].length;
const isoOf = (field: string, value: string): string => {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidField(field, 'must be a date-time');
  return new Date(time).toISOString();
};

/** Parses `{id}`: a UUID, `SB-1042` or `1042`; null when it can be none of them (→ 404). */
export function parseTicketRef(raw: string): TicketLookup | null {
  if (isUuid(raw)) return { id: raw.toLowerCase() };
  const match = /^(?:SB-)?(\d{1,9})$/i.exec(raw.trim());
  return match ? { number: Number(match[1]) } : null;
}

/**
 * True when an `If-Match` header names the ticket's current version (or is `*`). A staff ETag
 * (`"3.1"`) matches on its version part: an internal note changes nothing a PATCH could overwrite.
 */
export function etagMatches(header: string, version: number): boolean {
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    return value === '*' || value.replace(/\.\d+$/, '') === String(version);
  });
}

const FOLLOW_UP_HINT = 'Open a new ticket that mentions this one (follow-up tickets that link the old one are coming)';

// A comment names no status: the refusal says what state the ticket is in, not which move failed.
function closedTakesNoComments(ticket: Ticket): AppError {
  return new AppError('conflict', `Ticket ${ticketReference(ticket.number)} is closed and takes no more comments`, {
    extra: { current_status: 'closed', hint: FOLLOW_UP_HINT },
  });
}

function reopenWindowPassed(ticket: Ticket): AppError {
  const reference = ticketReference(ticket.number);
  return new AppError('conflict', `Ticket ${reference} was resolved and its reopen window has passed; a reply no longer reopens it`, {
    extra: { current_status: 'resolved', hint: FOLLOW_UP_HINT },
  });
}

function preconditionFailed(ticket: Ticket): AppError {
  return new AppError('precondition_failed', 'The ticket changed since you read it; fetch it again', {
    errors: [{ field: 'if-match', message: `does not match the current version ${ticket.version}` }],
    extra: { current_version: ticket.version },
  });
}

/**
 * The support-ticket rules: who may do what, the status machine, per-tenant numbers, history and
 * the `ticket.*` events, each written in the transaction of the change that causes it.
 */
export function createTicketService(deps: TicketServiceDeps) {
  const { db, clock } = deps;
  const reopenWindowMs = deps.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS;

  async function resolve(repo: TicketRepository, scope: TenantScope, ref: string): Promise<Ticket> {
    const lookup = parseTicketRef(ref);
    if (!lookup) throw notFound('Ticket');
    const rows = await repo.find(scope, lookup);
    if (rows.length > 1) throw invalidField('id', 'matches tickets of several tenants; use the ticket UUID (or customer_id on GET)');
    const ticket = rows[0];
    if (!ticket) throw notFound('Ticket');
    return ticket;
  }

  /** Runs a write transaction again when a concurrent writer bumped the version first. */
  async function withVersionRetry<T>(work: (trx: Transaction<Database>) => Promise<T | typeof STALE>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const result = await db.transaction().execute(work);
      if (result !== STALE) return result;
      if (attempt >= MAX_ATTEMPTS) throw new AppError('conflict', 'The ticket is being changed by someone else; try again');
    }
  }

  function history(ticket: Ticket, auth: AuthContext, changes: FieldChange[], now: string) {
    return changes.map((change) => ({
      id: uuidv7(Date.parse(now)),
      ticket_id: ticket.id,
      customer_id: ticket.customer_id,
      actor_id: actorIdOf(auth),
      actor_role: audienceOf(auth),
      field: change.field,
      from_value: change.from === null ? null : JSON.stringify(change.from),
      to_value: change.to === null ? null : JSON.stringify(change.to),
      visibility: 'public' as const,
      created_at: now,
    }));
  }

  /** `ticket.updated` plus the lifecycle event of a status change, in the caller's transaction. */
  async function emitChanges(trx: Transaction<Database>, ticket: Ticket, changes: FieldChange[], now: Date): Promise<void> {
    if (changes.length === 0) return;
    const view = presentTicket(ticket, 'customer');
    const diff = Object.fromEntries(changes.map((c) => [c.field, { from: c.from, to: c.to }]));
    await emitEvent(trx, { type: 'ticket.updated', customerId: ticket.customer_id, data: { ticket: view, changes: diff } }, now);
    const status = changes.find((c) => c.field === 'status');
    if (!status) return;
    if (status.to === 'resolved') {
      const resolutionTime = Math.round((now.getTime() - Date.parse(ticket.created_at)) / 1000);
      await emitEvent(trx, { type: 'ticket.resolved', customerId: ticket.customer_id, data: { ticket: view, resolution_time: resolutionTime } }, now);
    } else if (status.from === 'resolved' && status.to === 'open') {
      await emitEvent(trx, { type: 'ticket.reopened', customerId: ticket.customer_id, data: { ticket: view } }, now);
    } else if (status.to === 'closed') {
      await emitEvent(trx, { type: 'ticket.closed', customerId: ticket.customer_id, data: { ticket: view } }, now);
    }
  }

  function listFilters(auth: AuthContext, query: ListTicketsQuery): TicketFilters {
    const statuses = (query.status ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
    for (const status of statuses) {
      if (!(STATUSES as readonly string[]).includes(status)) throw invalidField('status', `must be one of: ${STATUSES.join(', ')}`);
    }
    let assignee: string | null | undefined;
    if (query.assignee === 'none') assignee = null;
    else if (query.assignee === 'me') assignee = actorIdOf(auth);
    else if (query.assignee !== undefined) {
      if (!isUuid(query.assignee)) throw invalidField('assignee', 'must be me, none or a user id');
      assignee = query.assignee.toLowerCase();
    }
    return {
      statuses: statuses as TicketStatus[],
      priority: query.priority,
      category: query.category,
      assignee,
      createdAfter: query.created_after === undefined ? undefined : isoOf('created_after', query.created_after),
      createdBefore: query.created_before === undefined ? undefined : isoOf('created_before', query.created_before),
    };
  }

  function listScope(auth: AuthContext, customerId: string | undefined): TenantScope {
    if (customerId !== undefined && !auth.isStaff && customerId.toLowerCase() !== auth.customerId) {
      throw invalidField('customer_id', 'is a staff-only filter');
    }
    return scopeOf(auth, customerId?.toLowerCase());
  }

  return {
    /** Opens a ticket in the caller's tenant (staff: in the tenant they name) and emits `ticket.created`. */
    async create(auth: AuthContext, input: CreateTicketBody): Promise<Ticket> {
      const subject = input.subject.trim();
      if (length(subject) < LIMITS.subject.min) {
        throw invalidField('subject', `must be ${LIMITS.subject.min}–${LIMITS.subject.max} characters, at least ${LIMITS.subject.min} after trimming`);
      }
      if (length(input.description.trim()) < LIMITS.description.min) {
        throw invalidField('description', `must be ${LIMITS.description.min}–${LIMITS.description.max} characters after trimming`);
      }
      let customerId: string;
      if (auth.isStaff) {
        if (!input.customer_id) throw invalidField('customer_id', 'is required when staff open a ticket');
        customerId = input.customer_id.toLowerCase();
      } else {
        if (input.customer_id !== undefined) throw new AppError('forbidden', 'customer_id comes from your credential', { errors: [{ field: 'customer_id', message: 'may only be given by staff' }] });
        customerId = scopeOf(auth).customerId as string;
      }
      const scope: SingleTenantScope = { kind: 'tenant', customerId };
      const now = clock();
      const iso = now.toISOString();
      const priority = input.priority ?? 'medium';
      const due = slaDueDates(priority, iso);
      const ticket = await db.transaction().execute(async (trx) => {
        const repo = ticketRepository(trx);
        const number = await repo.nextNumber(scope);
        if (number === null) throw invalidField('customer_id', 'is not a known tenant');
        const row: Ticket = {
          id: uuidv7(now.getTime()),
          customer_id: customerId,
          number,
          subject,
          description: input.description,
          priority,
          category: input.category ?? 'general',
          status: 'open',
          created_by: actorIdOf(auth),
          assignee_id: null,
          tags: JSON.stringify(normaliseTags(input.tags ?? [])),
          created_at: iso,
          updated_at: iso,
          first_response_at: null,
          resolved_at: null,
          closed_at: null,
          last_activity_at: iso,
          comment_count: 0,
          internal_comment_count: 0,
          sla_first_response_due_at: due.firstResponseDueAt,
          sla_resolution_due_at: due.resolutionDueAt,
          sla_status: 'on_track',
          follow_up_of: null,
          version: 1,
        };
        await repo.insert(scope, row);
        await repo.insertHistory(history(row, auth, [{ field: 'status', from: null, to: 'open' }], iso));
        await emitEvent(trx, { type: 'ticket.created', customerId, data: { ticket: presentTicket(row, 'customer') } }, now);
        return row;
      });
      deps.wakeWorkers();
      return ticket;
    },

    /** One page of the tickets the caller may see, filtered and sorted in the query. */
    async list(auth: AuthContext, query: ListTicketsQuery): Promise<Page<Ticket>> {
      const scope = listScope(auth, query.customer_id);
      const filters = listFilters(auth, query);
      const sort = ticketSortKey(query.sort ?? '-created_at');
      const rows = await ticketRepository(db).list(scope, filters, sort, { limit: query.limit, cursor: query.cursor });
      return toPage(rows, sort, query.limit, (t) => ({
        value: sort.name.endsWith('priority') ? String(PRIORITY_RANK[t.priority]) : sort.name.endsWith('updated_at') ? t.updated_at : t.created_at,
        id: t.id,
      }));
    },

    /** A ticket with the comments the caller may see (staff: internal notes too). */
    async get(auth: AuthContext, ref: string, customerId?: string): Promise<{ ticket: Ticket; comments: TicketComment[] }> {
      const repo = ticketRepository(db);
      const scope = listScope(auth, customerId);
      const ticket = await resolve(repo, scope, ref);
      const comments = await repo.listComments(scope, ticket.id, auth.isStaff, { limit: COMMENTS_ON_TICKET });
      return { ticket, comments: comments.slice(0, COMMENTS_ON_TICKET) };
    },

    /**
     * Changes status, priority, category, assignee or tags under the role rules; one history
     * entry per changed field and the matching events. `ifMatch` → 412 when stale.
     */
    async update(auth: AuthContext, ref: string, patch: TicketPatch, ifMatch?: string): Promise<Ticket> {
      const scope = scopeOf(auth);
      if (patch.assignee_id && auth.isStaff && !(await ticketRepository(db).isActiveStaff(patch.assignee_id.toLowerCase()))) {
        throw invalidField('assignee_id', 'must be an active SecureBase staff user');
      }
      const normalised: TicketPatch = { ...patch, assignee_id: patch.assignee_id?.toLowerCase() ?? patch.assignee_id };
      let wrote = false;
      const ticket = await withVersionRetry(async (trx) => {
        const repo = ticketRepository(trx);
        const current = await resolve(repo, scope, ref);
        if (ifMatch !== undefined && !etagMatches(ifMatch, current.version)) throw preconditionFailed(current);
        const now = clock();
        const plan = planUpdate(current, normalised, audienceOf(auth), now, reopenWindowMs);
        if (plan.changes.length === 0) return current;
        const iso = now.toISOString();
        const updated = await repo.update(scope, current.id, current.version, { ...plan.set, version: current.version + 1, updated_at: iso, last_activity_at: iso });
        if (!updated) {
          if (ifMatch !== undefined) throw preconditionFailed(current);
          return STALE;
        }
        await repo.insertHistory(history(updated, auth, plan.changes, iso));
        await emitChanges(trx, updated, plan.changes, now);
        wrote = true;
        return updated;
      });
      if (wrote) deps.wakeWorkers();
      return ticket;
    },

    /**
     * Adds a comment. Internal notes (staff only) touch nothing a customer can see. A customer's
     * public reply moves waiting-customer back to work and reopens a recently resolved ticket.
     */
    async addComment(auth: AuthContext, ref: string, input: CreateCommentBody): Promise<TicketComment> {
      if (input.body !== undefined && input.text !== undefined) throw invalidField('text', 'cannot be given together with body');
      const field = input.body !== undefined ? 'body' : 'text';
      const text = input.body ?? input.text;
      if (text === undefined) throw invalidField('body', 'is required');
      if (text.trim().length === 0) throw invalidField(field, `must be ${LIMITS.comment.min}–${LIMITS.comment.max} characters`);
      const visibility = input.visibility ?? 'public';
      if (visibility === 'internal' && !auth.isStaff) {
        throw new AppError('forbidden', 'Only staff may write internal notes', { errors: [{ field: 'visibility', message: 'internal is for staff only' }] });
      }
      const scope = scopeOf(auth);
      const audience = audienceOf(auth);
      let wrote = false;
      const comment = await withVersionRetry(async (trx) => {
        const repo = ticketRepository(trx);
        const ticket = await resolve(repo, scope, ref);
        const now = clock();
        const iso = now.toISOString();
        const row: TicketComment = { id: uuidv7(now.getTime()), ticket_id: ticket.id, customer_id: ticket.customer_id, author_id: actorIdOf(auth), author_role: audience, body: text, visibility, created_at: iso };
        if (visibility === 'internal') {
          await repo.insertComment(row);
          await repo.countInternalNote(scope, ticket.id);
          return row;
        }
        if (ticket.status === 'closed') throw closedTakesNoComments(ticket);
        const changes: FieldChange[] = [];
        let status: TicketStatus | null = null;
        if (audience === 'customer') {
          if (ticket.status === 'resolved' && !withinReopenWindow(ticket, now, reopenWindowMs)) throw reopenWindowPassed(ticket);
          status = statusAfterCustomerReply(ticket.status, ticket.assignee_id !== null, true);
          if (status) changes.push({ field: 'status', from: ticket.status, to: status });
        }
        const updated = await repo.update(scope, ticket.id, ticket.version, {
          comment_count: ticket.comment_count + 1,
          version: ticket.version + 1,
          updated_at: iso,
          last_activity_at: iso,
          ...(audience === 'staff' && !ticket.first_response_at ? { first_response_at: iso } : {}),
          ...(status ? { status, ...(ticket.status === 'resolved' ? { resolved_at: null } : {}) } : {}),
        });
        if (!updated) return STALE;
        await repo.insertComment(row);
        await repo.insertHistory(history(updated, auth, changes, iso));
        await emitEvent(trx, { type: 'ticket.commented', customerId: ticket.customer_id, data: { ticket: presentTicket(updated, 'customer'), comment: presentComment(row) } }, now);
        await emitChanges(trx, updated, changes, now);
        wrote = true;
        return row;
      });
      if (wrote) deps.wakeWorkers();
      return comment;
    },

    /** Comments of a ticket, oldest first; customers never see internal notes. */
    async listComments(auth: AuthContext, ref: string, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<TicketComment>> {
      const repo = ticketRepository(db);
      const scope = scopeOf(auth);
      const ticket = await resolve(repo, scope, ref);
      const rows = await repo.listComments(scope, ticket.id, auth.isStaff, page);
      return toPage(rows, { name: 'created_at' }, page.limit, (c) => ({ value: c.created_at, id: c.id }));
    },

    /** History of a ticket, oldest first; customers see the public entries. */
    async listHistory(auth: AuthContext, ref: string, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<TicketHistoryEntry>> {
      const repo = ticketRepository(db);
      const scope = scopeOf(auth);
      const ticket = await resolve(repo, scope, ref);
      const rows = await repo.listHistory(scope, ticket.id, auth.isStaff, page);
      return toPage(rows, { name: 'created_at' }, page.limit, (h) => ({ value: h.created_at, id: h.id }));
    },
  };
}

/** The ticket service as routes receive it. */
export type TicketService = ReturnType<typeof createTicketService>;
