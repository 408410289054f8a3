import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../app/session.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { EmptyState, QueryView } from '../../ui/states.tsx';
import { PriorityBadge, SlaBadge, StatusBadge } from './badges.tsx';
import { CATEGORIES, categoryLabel, PRIORITIES, priorityLabel, STATUSES, statusLabel, ticketPath } from './fields.ts';
import type { Ticket } from './fields.ts';
import { filtersFromSearch, hasFilters, searchFromFilters, SORT_OPTIONS } from './list-query.ts';
import type { ListFilters } from './list-query.ts';
import { fetchTickets, supportKeys } from './support-api.ts';
import { formatPast, useNow } from './use-now.ts';
import './support.css';

/** `/support`: the tenant's tickets with search, filters and sort kept in the address. */
export default function SupportListPage() {
  const { can, isStaff } = useSession();
  const [search, setSearch] = useSearchParams();
  const filters = filtersFromSearch(search);
  const setFilters = (next: ListFilters) => setSearch(searchFromFilters(next));
  const canCreate = can('tickets:write') && !isStaff;

  return (
    <>
      <PageHeader
        title="Support"
        description={isStaff ? 'Tickets of every tenant' : 'Your tickets with SecureBase support'}
        actions={
          canCreate && (
            <Link className="btn btn-primary" to="/support/new">
              New ticket
            </Link>
          )
        }
      />
      <ListToolbar key={filters.q} filters={filters} onChange={setFilters} />
      {/* Keyed by the filters: a new filter starts again at the first page. */}
      <TicketList
        key={searchFromFilters(filters).toString()}
        filters={filters}
        canCreate={canCreate}
        onClear={() => setFilters({ q: '', status: '', priority: '', category: '', sort: filters.sort })}
      />
    </>
  );
}

function ListToolbar({ filters, onChange }: { filters: ListFilters; onChange: (filters: ListFilters) => void }) {
  const [query, setQuery] = useState(filters.q);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...filters, q: query });
  };
  return (
    <form className="toolbar support-toolbar" role="search" aria-label="Tickets" onSubmit={submit}>
      <div className="support-search">
        <TextField
          label="Search"
          type="search"
          name="q"
          value={query}
          maxLength={200}
          placeholder="Words in subject, description or replies"
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit" className="btn">
          Search
        </button>
      </div>
      <SelectField
        label="Status"
        value={filters.status}
        onChange={(event) => onChange({ ...filters, status: event.target.value as ListFilters['status'] })}
      >
        <option value="">Any status</option>
        {STATUSES.map((status) => (
          <option key={status} value={status}>
            {statusLabel(status)}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Priority"
        value={filters.priority}
        onChange={(event) => onChange({ ...filters, priority: event.target.value as ListFilters['priority'] })}
      >
        <option value="">Any priority</option>
        {PRIORITIES.map((priority) => (
          <option key={priority} value={priority}>
            {priorityLabel(priority)}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Category"
        value={filters.category}
        onChange={(event) => onChange({ ...filters, category: event.target.value as ListFilters['category'] })}
      >
        <option value="">Any category</option>
        {CATEGORIES.map((category) => (
          <option key={category} value={category}>
            {categoryLabel(category)}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Sort"
        value={filters.sort || (filters.q ? 'relevance' : '-created_at')}
        onChange={(event) => onChange({ ...filters, sort: event.target.value as ListFilters['sort'] })}
      >
        {SORT_OPTIONS.filter((option) => option.value !== 'relevance' || filters.q).map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </SelectField>
    </form>
  );
}

function TicketList({
  filters,
  canCreate,
  onClear,
}: {
  filters: ListFilters;
  canCreate: boolean;
  onClear: () => void;
}) {
  const pages = useCursorPages();
  const query = useQuery({
    queryKey: supportKeys.list(filters, pages.cursor),
    queryFn: () => fetchTickets(filters, pages.cursor),
    placeholderData: keepPreviousData,
  });
  return (
    <QueryView query={query} loadingHeight={320}>
      {(page) =>
        page.tickets.length === 0 && pages.pageNumber === 1 ? (
          hasFilters(filters) ? (
            <EmptyState title="No tickets match these filters">
              <button type="button" className="btn" onClick={onClear}>
                Clear filters
              </button>
            </EmptyState>
          ) : (
            <EmptyState title="No tickets yet">
              {canCreate && (
                <p>
                  Something wrong or a question? <Link to="/support/new">Open a ticket</Link>.
                </p>
              )}
            </EmptyState>
          )
        ) : (
          <>
            <TicketTable tickets={page.tickets} />
            <CursorPagination pages={pages} nextCursor={page.next_cursor} label="Tickets" />
          </>
        )
      }
    </QueryView>
  );
}

function TicketTable({ tickets }: { tickets: readonly Ticket[] }) {
  const { isStaff } = useSession();
  const now = useNow();
  return (
    <div className="table-wrap support-table">
      <table className="table">
        <caption className="visually-hidden">Tickets</caption>
        <thead>
          <tr>
            <th scope="col">Ticket</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Category</th>
            <th scope="col">SLA</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((ticket) => (
            <tr key={ticket.id}>
              <td className="ticket-cell">
                <Link to={ticketPath(ticket, isStaff)}>
                  <span className="ticket-ref">{ticket.reference}</span> {ticket.subject}
                </Link>
              </td>
              <td>
                <StatusBadge status={ticket.status} />
              </td>
              <td>
                <PriorityBadge priority={ticket.priority} />
              </td>
              <td>{categoryLabel(ticket.category)}</td>
              <td>
                <SlaBadge ticket={ticket} now={now} />
              </td>
              <td>
                <time dateTime={ticket.last_activity_at} title={formatDateTime(ticket.last_activity_at)}>
                  {formatPast(ticket.last_activity_at, now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
