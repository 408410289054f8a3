import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { ActionError, EmptyState, QueryView } from '../../ui/states.tsx';
import { Tabs } from '../../ui/tabs.tsx';
import { PriorityBadge, SlaBadge } from './badges.tsx';
import { statusLabel, ticketPath } from './fields.ts';
import type { Ticket, TicketStatus } from './fields.ts';
import { statusActions } from './status-actions.ts';
import { changeTicket, PAGE_SIZE, supportKeys } from './support-api.ts';
import { formatPast, useNow } from './use-now.ts';
import { AssignControl } from './assign-control.tsx';
import { QUEUE_VIEWS, viewOf } from './queue-views.ts';
import type { QueueView } from './queue-views.ts';
import './support.css';

async function fetchQueue(view: QueueView, cursor: string | undefined) {
  return data(
    await api.GET('/v1/support/tickets', {
      params: { query: { view, sort: '-priority', limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

/** `/staff/queue`: every tenant's tickets in the staff views, with assign and status right in the rows. */
export default function QueuePage() {
  const { isStaff, can } = useSession();
  const [search, setSearch] = useSearchParams();
  const view = viewOf(search.get('view'));
  if (!isStaff) {
    return (
      <>
        <PageHeader title="Support queue" />
        <EmptyState title="The support queue is for SecureBase staff">
          <Link to="/support">Go to your tickets</Link>
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Support queue" description="Tickets of every tenant, most urgent first" />
      <Tabs.Root value={view} onValueChange={(next) => setSearch(next === 'unassigned' ? {} : { view: next })}>
        <Tabs.List className="tabs-list" aria-label="Queue views">
          {QUEUE_VIEWS.map((option) => (
            <Tabs.Trigger key={option.value} className="tabs-trigger" value={option.value}>
              {option.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {QUEUE_VIEWS.map((option) => (
          <Tabs.Content key={option.value} value={option.value}>
            {option.value === view && <QueueList view={view} canWrite={can('tickets:write')} />}
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </>
  );
}

function QueueList({ view, canWrite }: { view: QueueView; canWrite: boolean }) {
  const pages = useCursorPages();
  const now = useNow();
  const query = useQuery({
    queryKey: [...supportKeys.lists(), 'queue', view, pages.cursor],
    queryFn: () => fetchQueue(view, pages.cursor),
    placeholderData: keepPreviousData,
  });
  const empty = QUEUE_VIEWS.find((option) => option.value === view)?.empty ?? 'Nothing here';
  return (
    <QueryView query={query} loadingHeight={320}>
      {(page) =>
        page.tickets.length === 0 && pages.pageNumber === 1 ? (
          <EmptyState title={empty} />
        ) : (
          <>
            <div className="table-wrap support-table">
              <table className="table">
                <caption className="visually-hidden">Tickets in this view</caption>
                <thead>
                  <tr>
                    <th scope="col">Ticket</th>
                    <th scope="col">Tenant</th>
                    <th scope="col">Priority</th>
                    <th scope="col">SLA</th>
                    <th scope="col">Status</th>
                    <th scope="col">Assignee</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {page.tickets.map((ticket) => (
                    <tr key={ticket.id}>
                      <td className="ticket-cell">
                        <Link to={ticketPath(ticket, true)}>
                          <span className="ticket-ref">{ticket.reference}</span> {ticket.subject}
                        </Link>
                      </td>
                      <td>
                        <code title={ticket.customer_id}>{ticket.customer_id.slice(0, 8)}</code>
                      </td>
                      <td>
                        <PriorityBadge priority={ticket.priority} />
                      </td>
                      <td>
                        <SlaBadge ticket={ticket} now={now} />
                      </td>
                      <td>
                        <StatusSelect ticket={ticket} canWrite={canWrite} />
                      </td>
                      <td>
                        {canWrite && ticket.status !== 'closed' ? (
                          <AssignControl ticket={ticket} compact />
                        ) : (
                          <span className="muted">{ticket.assignee_id ? 'Assigned' : 'Unassigned'}</span>
                        )}
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
            <CursorPagination pages={pages} nextCursor={page.next_cursor} label="Queue" />
          </>
        )
      }
    </QueryView>
  );
}

/** The ticket's status, changeable to the moves staff may make from it. */
function StatusSelect({ ticket, canWrite }: { ticket: Ticket; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (to: TicketStatus) => changeTicket(ticket.id, { status: to }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: supportKeys.all }),
  });
  const moves = statusActions(ticket.status, 'staff', canWrite);
  return (
    <div className="assign-control">
      <select
        className="input"
        aria-label={`Status of ${ticket.reference}`}
        value={ticket.status}
        disabled={moves.length === 0 || change.isPending}
        onChange={(event) => change.mutate(event.target.value as TicketStatus)}
      >
        <option value={ticket.status}>{statusLabel(ticket.status)}</option>
        {moves.map((move) => (
          <option key={move.to} value={move.to}>
            {move.label} → {statusLabel(move.to)}
          </option>
        ))}
      </select>
      <ActionError error={change.error} />
    </div>
  );
}
