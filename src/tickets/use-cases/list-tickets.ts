import { isUuid } from '../../database/ids.ts';
import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { invalidField } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { STATUSES } from '../fields.ts';
import type { SORTS, TicketListView } from '../fields.ts';
import { PRIORITY_RANK, ticketSortKey } from '../repository.ts';
import type { ListedTicket, PageRequest, TicketFilters } from '../repository.ts';
import { MAX_SEARCH_TERMS, parseSearchQuery } from '../search-query.ts';
import type { TicketSearch } from '../search.ts';
import type { TicketCategory, TicketPriority, TicketStatus } from '../tables.ts';
import { actorIdOf } from './deps.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { readScope } from './resolve-ticket.ts';

/** The list query as the caller sends it (types checked by the schema, meaning checked here). */
export interface ListTicketsInput extends PageRequest {
  status?: string[] | undefined;
  priority?: TicketPriority | undefined;
  category?: TicketCategory | undefined;
  assignee?: string | undefined;
  customer_id?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
  sort?: (typeof SORTS)[number] | 'relevance' | undefined;
  /** Full-text search; blank means no search. */
  q?: string | undefined;
  view?: TicketListView | undefined;
}

/** The statuses of work still to do: what the views but `all` show unless `status` is given. */
const ACTIVE_STATUSES: TicketStatus[] = ['open', 'in-progress', 'waiting-customer'];

/** The filters a staff view adds; it refuses a filter it would contradict. */
function viewFilters(auth: AuthContext, query: ListTicketsInput): Partial<TicketFilters> {
  const view = query.view ?? 'all';
  if (view === 'all') return {};
  if (view === 'mine' && !auth.isStaff) throw invalidField('view', 'mine is for staff (tickets assigned to them)');
  if ((view === 'mine' || view === 'unassigned') && query.assignee !== undefined)
    throw invalidField('view', `${view} cannot be combined with assignee`);
  const active = { statuses: ACTIVE_STATUSES };
  if (view === 'mine') return { ...active, assignee: actorIdOf(auth) };
  if (view === 'unassigned') return { ...active, assignee: null };
  return { ...active, slaStatus: view };
}

const isoOf = (field: string, value: string): string => {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidField(field, 'must be a date-time');
  return new Date(time).toISOString();
};

/** The search of `q`, or undefined when it is absent or blank; 400 when it holds no word. */
function searchOf(auth: AuthContext, q: string | undefined): TicketSearch | undefined {
  if (q === undefined || q.trim() === '') return undefined;
  const terms = parseSearchQuery(q);
  if (terms.length === 0) throw invalidField('q', 'must contain at least one word (letters or digits)');
  if (terms.length > MAX_SEARCH_TERMS) throw invalidField('q', `must have at most ${MAX_SEARCH_TERMS} terms`);
  return { terms, includeInternal: auth.isStaff };
}

function listFilters(auth: AuthContext, query: ListTicketsInput): TicketFilters {
  const statuses = (query.status ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  for (const status of statuses) {
    if (!(STATUSES as readonly string[]).includes(status))
      throw invalidField('status', `must be one of: ${STATUSES.join(', ')}`);
  }
  let assignee: string | null | undefined;
  if (query.assignee === 'none') assignee = null;
  else if (query.assignee === 'me') assignee = actorIdOf(auth);
  else if (query.assignee !== undefined) {
    if (!isUuid(query.assignee)) throw invalidField('assignee', 'must be me, none or a user id');
    assignee = query.assignee.toLowerCase();
  }
  const fromView = viewFilters(auth, query);
  return {
    ...fromView,
    statuses: statuses.length > 0 ? (statuses as TicketStatus[]) : fromView.statuses,
    priority: query.priority,
    category: query.category,
    assignee: fromView.assignee !== undefined ? fromView.assignee : assignee,
    createdAfter: query.created_after === undefined ? undefined : isoOf('created_after', query.created_after),
    createdBefore: query.created_before === undefined ? undefined : isoOf('created_before', query.created_before),
    search: searchOf(auth, query.q),
  };
}

/**
 * One page of the tickets the caller may see, filtered and sorted in the query. With `q`, only
 * matching tickets (customers: on public text only), best match first unless `sort` says otherwise.
 */
export function listTickets(deps: TicketUseCaseDeps) {
  return async function list(auth: AuthContext, query: ListTicketsInput): Promise<Page<ListedTicket>> {
    const scope = readScope(auth, query.customer_id);
    const filters = listFilters(auth, query);
    if (query.sort === 'relevance' && !filters.search) throw invalidField('sort', 'relevance needs a search (q)');
    const sort = ticketSortKey(query.sort ?? (filters.search ? 'relevance' : '-created_at'));
    const rows = await deps.tickets(deps.db, scope).list(filters, sort, { limit: query.limit, cursor: query.cursor });
    return toPage(rows, sort, query.limit, (t) => ({
      value:
        sort.name === 'relevance'
          ? (t.search_rank ?? 0)
          : sort.name.endsWith('priority')
            ? String(PRIORITY_RANK[t.priority])
            : sort.name.endsWith('updated_at')
              ? t.updated_at
              : t.created_at,
      id: t.id,
    }));
  };
}
