import { sql } from 'kysely';
import type { Insertable, Selectable, SelectQueryBuilder, Updateable } from 'kysely';
import type { Database } from '../database/schema.ts';
import type { TenantScope } from '../identity/auth-context.ts';
import { updateWithinScope, withinScope } from '../identity/scope.ts';
import { STAFF_ROLES } from '../identity/permissions.ts';
import type { UserId } from '../identity/tables.ts';
import type { SortKey } from '../database/pagination.ts';
import { pageQuery } from '../database/pagination.ts';
import type { Executor } from '../jobs/types.ts';
import type { AttachmentId, TicketId } from './ids.ts';
import { searchMatches } from './search.ts';
import type { TicketSearch } from './search.ts';
import type {
  SlaStatus,
  TicketCategory,
  TicketCommentsTable,
  TicketHistoryTable,
  TicketPriority,
  TicketStatus,
  TicketsTable,
} from './tables.ts';

/** Stored rows as the service sees them. */
export type Ticket = Selectable<TicketsTable>;
export type TicketComment = Selectable<TicketCommentsTable>;
export type TicketHistoryEntry = Selectable<TicketHistoryTable>;

/** How a ticket is looked up: its UUID or its per-tenant number. */
export type TicketLookup = { id: TicketId } | { number: number };

/** Where a list page starts and how long it is. */
export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Filters of the ticket list, already validated and normalised by the service. */
export interface TicketFilters {
  statuses?: TicketStatus[] | undefined;
  priority?: TicketPriority | undefined;
  category?: TicketCategory | undefined;
  /** A staff user id, or null for unassigned tickets. */
  assignee?: string | null | undefined;
  /** The staff views at_risk and breached. */
  slaStatus?: SlaStatus | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  /** Full-text search (`q`); only matching tickets, and `sort=relevance` orders by match. */
  search?: TicketSearch | undefined;
}

/** A listed ticket (no SLA clocks); `search_rank` (lower is better) when the list was searched. */
export type ListedTicket = Omit<Ticket, 'sla_clocks'> & { search_rank?: number };

// What a list reads of each ticket: every column but the SLA clocks, a few hundred bytes of JSON a
// row that only changes need. A record, so a column added to the table must be listed here too.
const LISTED: Record<keyof Omit<TicketsTable, 'sla_clocks'>, true> = {
  id: true,
  customer_id: true,
  number: true,
  subject: true,
  description: true,
  priority: true,
  category: true,
  status: true,
  created_by: true,
  assignee_id: true,
  tags: true,
  created_at: true,
  updated_at: true,
  first_response_at: true,
  resolved_at: true,
  closed_at: true,
  last_activity_at: true,
  comment_count: true,
  internal_comment_count: true,
  sla_first_response_due_at: true,
  sla_resolution_due_at: true,
  sla_status: true,
  follow_up_of: true,
  version: true,
};
const LISTED_COLUMNS = Object.keys(LISTED).map((column) => `tickets.${column}` as `tickets.${keyof typeof LISTED}`);

/** Priority as a number, so `sort=priority` orders low < medium < high < critical. */
export const PRIORITY_RANK: Record<TicketPriority, number> = { low: 0, medium: 1, high: 2, critical: 3 };
// The rank as a one-digit text: it sorts like the number, and a forged cursor value is compared
// as text instead of failing an integer cast on PostgreSQL.
const priorityRank = sql<string>`(case ${sql.ref('tickets.priority')} when 'low' then '0' when 'medium' then '1' when 'high' then '2' else '3' end)`;

/** The sort keys of the ticket list; the cursor remembers which one it came from. */
export function ticketSortKey(sort: string): SortKey {
  if (sort === 'relevance')
    return { name: sort, expression: sql.ref('matches.rank'), idColumn: 'matches.ticket_id', direction: 'asc' };
  const descending = sort.startsWith('-');
  const name = descending ? sort.slice(1) : sort;
  const expression =
    name === 'priority' ? priorityRank : sql.ref(`tickets.${name === 'updated_at' ? 'updated_at' : 'created_at'}`);
  return { name: sort, expression, idColumn: 'tickets.id', direction: descending ? 'desc' : 'asc' };
}

/**
 * True when a filter other than the search is set, so the tickets table must be read (the tenant
 * alone does not need it: search documents carry it). Generic over the fields, so a filter added
 * later is never skipped by a search.
 */
function hasTicketFilters(filters: TicketFilters): boolean {
  return Object.entries(filters).some(
    ([name, value]) => name !== 'search' && value !== undefined && !(Array.isArray(value) && value.length === 0),
  );
}

/** The list filters on the `tickets` table of any select over it (plain or searched). */
function filterTickets<DB extends Pick<Database, 'tickets'>, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  filters: TicketFilters,
): SelectQueryBuilder<DB, TB, O> {
  const q = query as unknown as SelectQueryBuilder<Pick<Database, 'tickets'>, 'tickets', O>;
  let filtered = q;
  if (filters.statuses && filters.statuses.length > 0)
    filtered = filtered.where('tickets.status', 'in', filters.statuses);
  if (filters.priority) filtered = filtered.where('tickets.priority', '=', filters.priority);
  if (filters.category) filtered = filtered.where('tickets.category', '=', filters.category);
  if (filters.assignee === null) filtered = filtered.where('tickets.assignee_id', 'is', null);
  else if (filters.assignee !== undefined) filtered = filtered.where('tickets.assignee_id', '=', filters.assignee);
  if (filters.slaStatus) filtered = filtered.where('tickets.sla_status', '=', filters.slaStatus);
  if (filters.createdAfter) filtered = filtered.where('tickets.created_at', '>=', filters.createdAfter);
  if (filters.createdBefore) filtered = filtered.where('tickets.created_at', '<', filters.createdBefore);
  return filtered as unknown as SelectQueryBuilder<DB, TB, O>;
}

const OLDEST_FIRST = (table: 'ticket_comments' | 'ticket_history'): SortKey => ({
  name: 'created_at',
  expression: sql.ref(`${table}.created_at`),
  idColumn: `${table}.id`,
  direction: 'asc',
});

/**
 * The SQL of tickets, comments and history for one tenant scope, bound here: no method takes a
 * scope, every query starts from this one, and a row outside it can be neither read nor written.
 */
export function ticketRepository(db: Executor, scope: TenantScope) {
  /** The one tenant a new row goes to; creating needs a scope that names it (staff name it). */
  const tenantForInsert = (): string => {
    if (!scope.customerId) throw new Error('inserting tickets needs a scope naming one tenant');
    return scope.customerId;
  };
  /** Rows handed in (comments, history) must belong to the bound tenant. */
  const ensureInScope = (customerId: string): void => {
    if (scope.customerId !== undefined && scope.customerId !== customerId)
      throw new Error('row outside the bound tenant scope');
  };

  return {
    /** Hands out the tenant's next ticket number (locks the customer row until commit); null for an unknown tenant. */
    async nextNumber(): Promise<number | null> {
      const row = await db
        .updateTable('customers')
        .set({ last_ticket_number: sql`last_ticket_number + 1` })
        .where('id', '=', tenantForInsert())
        .returning('last_ticket_number')
        .executeTakeFirst();
      return row ? Number(row.last_ticket_number) : null;
    },

    async insert(ticket: Insertable<TicketsTable>): Promise<void> {
      await db
        .insertInto('tickets')
        .values({ ...ticket, customer_id: tenantForInsert() })
        .execute();
    },

    /** Up to two matches (staff looking a number up across tenants can hit several). */
    async find(lookup: TicketLookup): Promise<Ticket[]> {
      let query = withinScope(db.selectFrom('tickets').selectAll(), scope, 'tickets.customer_id');
      query =
        'id' in lookup ? query.where('tickets.id', '=', lookup.id) : query.where('tickets.number', '=', lookup.number);
      return query.limit(2).execute();
    },

    /**
     * One page of tickets: filters in the WHERE clause before the limit, one query. A search
     * joins the matching tickets (found through the full-text index) and carries their rank.
     */
    async list(filters: TicketFilters, sort: SortKey, page: PageRequest): Promise<ListedTicket[]> {
      if (filters.search) {
        // Ranked and paged on the search documents (which carry the tenant); the tickets are read
        // for the filters and sorts that need them, and in full only for the page's rows.
        const matches = searchMatches(db, filters.search);
        const keys = ['matches.ticket_id', 'matches.rank', sql`${sort.expression}`.as('sort_value')] as const;
        const needsTickets = sort.name !== 'relevance' || hasTicketFilters(filters);
        const found = needsTickets
          ? pageQuery(
              filterTickets(
                withinScope(
                  db.selectFrom(matches).innerJoin('tickets', 'tickets.id', 'matches.ticket_id').select(keys),
                  scope,
                  'matches.customer_id',
                ),
                filters,
              ),
              sort,
              page,
            )
          : pageQuery(withinScope(db.selectFrom(matches).select(keys), scope, 'matches.customer_id'), sort, page);
        const direction = sql.raw(sort.direction);
        return db
          .selectFrom(found.as('page'))
          .innerJoin('tickets', 'tickets.id', 'page.ticket_id')
          .select(LISTED_COLUMNS)
          .select('page.rank as search_rank')
          .orderBy(sql`${sql.ref('page.sort_value')} ${direction}`)
          .orderBy(sql`${sql.ref('page.ticket_id')} ${direction}`)
          .execute();
      }
      const query = withinScope(db.selectFrom('tickets').select(LISTED_COLUMNS), scope, 'tickets.customer_id');
      return pageQuery(filterTickets(query, filters), sort, page).execute();
    },

    /** Applies a change if the ticket is still at `version`; undefined when someone else changed it first. */
    async update(id: TicketId, version: number, changes: Updateable<TicketsTable>): Promise<Ticket | undefined> {
      const query = db
        .updateTable('tickets')
        .set(changes)
        .where('tickets.id', '=', id)
        .where('tickets.version', '=', version);
      return updateWithinScope(query, scope, 'tickets.customer_id').returningAll().executeTakeFirst();
    },

    /** Counts an internal note without touching anything a customer can see (version, updated_at). */
    async countInternalNote(id: TicketId): Promise<void> {
      const query = db
        .updateTable('tickets')
        .set({ internal_comment_count: sql`internal_comment_count + 1` })
        .where('tickets.id', '=', id);
      await updateWithinScope(query, scope, 'tickets.customer_id').execute();
    },

    async insertComment(comment: Insertable<TicketCommentsTable>): Promise<void> {
      ensureInScope(comment.customer_id);
      await db.insertInto('ticket_comments').values(comment).execute();
    },

    /** Comments of one ticket, oldest first; internal notes only when asked for. */
    async listComments(ticketId: TicketId, includeInternal: boolean, page: PageRequest): Promise<TicketComment[]> {
      let query = withinScope(db.selectFrom('ticket_comments').selectAll(), scope, 'ticket_comments.customer_id').where(
        'ticket_comments.ticket_id',
        '=',
        ticketId,
      );
      if (!includeInternal) query = query.where('ticket_comments.visibility', '=', 'public');
      return pageQuery(query, OLDEST_FIRST('ticket_comments'), page).execute();
    },

    async insertHistory(entries: Insertable<TicketHistoryTable>[]): Promise<void> {
      for (const entry of entries) ensureInScope(entry.customer_id);
      if (entries.length > 0) await db.insertInto('ticket_history').values(entries).execute();
    },

    /** History of one ticket, oldest first; internal entries only when asked for. */
    async listHistory(ticketId: TicketId, includeInternal: boolean, page: PageRequest): Promise<TicketHistoryEntry[]> {
      let query = withinScope(db.selectFrom('ticket_history').selectAll(), scope, 'ticket_history.customer_id').where(
        'ticket_history.ticket_id',
        '=',
        ticketId,
      );
      if (!includeInternal) query = query.where('ticket_history.visibility', '=', 'public');
      return pageQuery(query, OLDEST_FIRST('ticket_history'), page).execute();
    },

    /** The follow-up tickets opened from this one (customer replies after it closed), oldest first. */
    async listFollowUps(ticketId: TicketId): Promise<Pick<Ticket, 'id' | 'number' | 'status' | 'created_at'>[]> {
      return withinScope(
        db.selectFrom('tickets').select(['tickets.id', 'tickets.number', 'tickets.status', 'tickets.created_at']),
        scope,
        'tickets.customer_id',
      )
        .where('tickets.follow_up_of', '=', ticketId)
        .orderBy('tickets.created_at')
        .orderBy('tickets.id')
        .limit(100)
        .execute();
    },

    /** True when the id is an active SecureBase staff user (the only valid assignees; staff belong to no tenant). */
    async isActiveStaff(userId: string): Promise<boolean> {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('id', '=', userId as UserId)
        .where('customer_id', 'is', null)
        .where('role', 'in', [...STAFF_ROLES])
        .where('status', '=', 'active')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

/** The tenant-bound repository (over the handle or a transaction). */
export type TicketRepository = ReturnType<typeof ticketRepository>;
/** How use cases get a repository: injected, so they never build one from the raw handle. */
export type TicketRepositoryFactory = (db: Executor, scope: TenantScope) => TicketRepository;

/**
 * The system side, across tenants, for workers only (never reachable from a request): the
 * retention sweep. Named apart so no request path can ask for cross-tenant rows by accident.
 */
export function ticketSystemRepository(db: Executor) {
  return {
    /**
     * Deletes up to `limit` tickets closed before `before` with their comments, history and
     * attachment rows (their files are queued in `ticket_attachment_purges`, unlinked after the
     * commit; the search documents go by trigger). Open tickets are never touched. Returns how
     * many tickets went.
     */
    async purgeClosedBefore(before: string, limit: number, now: string): Promise<number> {
      const rows = await db
        .selectFrom('tickets')
        .select('id')
        .where('status', '=', 'closed')
        .where('closed_at', '<', before)
        .limit(limit)
        .execute();
      const ids = rows.map((row) => row.id);
      if (ids.length === 0) return 0;
      await db
        .insertInto('ticket_attachment_purges')
        .columns(['attachment_id', 'created_at'])
        .expression(
          db
            .selectFrom('ticket_attachments')
            .select(['id', sql.lit(now).as('created_at')])
            .where('ticket_id', 'in', ids),
        )
        .execute();
      await db.deleteFrom('ticket_attachments').where('ticket_id', 'in', ids).execute();
      await db.deleteFrom('ticket_comments').where('ticket_id', 'in', ids).execute();
      await db.deleteFrom('ticket_history').where('ticket_id', 'in', ids).execute();
      await db.deleteFrom('ticket_satisfaction').where('ticket_id', 'in', ids).execute();
      await db.deleteFrom('tickets').where('id', 'in', ids).execute();
      return ids.length;
    },

    /** Up to `limit` attachment files whose rows are gone, waiting to be unlinked. */
    async pendingFilePurges(limit: number): Promise<AttachmentId[]> {
      const rows = await db
        .selectFrom('ticket_attachment_purges')
        .select('attachment_id')
        .orderBy('attachment_id')
        .limit(limit)
        .execute();
      return rows.map((row) => row.attachment_id);
    },

    /** Forgets purges whose files are unlinked. */
    async forgetFilePurges(ids: AttachmentId[]): Promise<void> {
      if (ids.length > 0) await db.deleteFrom('ticket_attachment_purges').where('attachment_id', 'in', ids).execute();
    },
  };
}
