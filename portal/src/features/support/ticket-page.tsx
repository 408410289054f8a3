import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { useSession } from '../../app/session.tsx';
import { useLiveEvent } from '../../live/stream.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader, usePageTitle } from '../../ui/page.tsx';
import { ActionError, QueryView } from '../../ui/states.tsx';
import { AssignControl, useAgents } from './assign-control.tsx';
import { uploadNoticeOf } from './attachments.ts';
import { PriorityBadge, SlaBadge, StatusBadge } from './badges.tsx';
import { CsatPrompt } from './csat.tsx';
import { categoryLabel } from './fields.ts';
import type { TicketDetail, TicketStatus } from './fields.ts';
import { notificationIsAbout } from './live-match.ts';
import { authorName } from './people.ts';
import type { Viewer } from './people.ts';
import { ReplyBox } from './reply-box.tsx';
import { statusActions } from './status-actions.ts';
import type { StatusAction } from './status-actions.ts';
import { changeTicket, fetchTicket, supportKeys } from './support-api.ts';
import { TicketHistory } from './ticket-history.tsx';
import { TicketThread } from './ticket-thread.tsx';
import { useNow } from './use-now.ts';
import './support.css';

/**
 * `/support/:ticket` (a reference such as SB-1042 for customers, the id for staff): the thread,
 * the reply box, the status actions, the history and, once resolved, the CSAT prompt. A new
 * notification about this ticket (a reply, a resolution) refetches it, and so does coming back to
 * the window.
 */
export default function TicketPage() {
  const ticketRef = useParams().ticket ?? '';
  const queryClient = useQueryClient();
  const ticket = useQuery({
    queryKey: supportKeys.ticket(ticketRef),
    queryFn: () => fetchTicket(ticketRef),
    refetchOnWindowFocus: 'always',
  });
  useLiveEvent('notification.created', (notification) => {
    if (ticket.data && notificationIsAbout(notification, ticket.data)) {
      void queryClient.invalidateQueries({ queryKey: supportKeys.ticket(ticketRef) });
    }
  });
  usePageTitle(ticket.data ? `${ticket.data.reference}: ${ticket.data.subject}` : 'Ticket');
  return (
    <QueryView query={ticket} loadingHeight={400}>
      {(loaded) => <TicketView key={ticketRef} ticket={loaded} ticketRef={ticketRef} />}
    </QueryView>
  );
}

function TicketView({ ticket, ticketRef }: { ticket: TicketDetail; ticketRef: string }) {
  const { me, can, isStaff } = useSession();
  const [search] = useSearchParams();
  const location = useLocation();
  const now = useNow();
  const { names } = useAgents(isStaff);
  const viewer: Viewer = { userId: me.user_id, isStaff };
  const notice = uploadNoticeOf(location.state);
  const canWrite = can('tickets:write');
  const replyable = ticket.status !== 'closed' || !isStaff;

  return (
    <>
      <p className="breadcrumb">
        <Link to={isStaff ? '/staff/queue' : '/support'}>{isStaff ? '← Support queue' : '← All tickets'}</Link>
      </p>
      <PageHeader
        title={ticket.subject}
        description={
          <span className="ticket-meta">
            <span className="ticket-ref">{ticket.reference}</span>
            <StatusBadge status={ticket.status} />
            <PriorityBadge priority={ticket.priority} />
            <span className="badge">{categoryLabel(ticket.category)}</span>
            <SlaBadge ticket={ticket} now={now} />
          </span>
        }
        actions={
          <StatusActions
            ticket={ticket}
            actions={statusActions(ticket.status, isStaff ? 'staff' : 'customer', canWrite)}
          />
        }
      />
      {notice && (
        <div className="action-error card upload-notice" role="alert">
          <p>The ticket was created, but these files were not attached:</p>
          <ul>
            {notice.failed.map((file, index) => (
              <li key={`${file.name}-${index}`}>
                {file.name}: {file.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="ticket-layout">
        <div className="stack">
          <TicketThread ticket={ticket} viewer={viewer} agentNames={names} now={now} />
          {(ticket.status === 'resolved' || ticket.status === 'closed') && !isStaff && (
            <CsatPrompt ticket={ticket} ticketRef={ticketRef} canRate={canWrite} focus={search.get('csat') === '1'} />
          )}
          {canWrite && replyable && (
            <ReplyBox
              ticketRef={ticketRef}
              ticketId={ticket.id}
              isStaff={isStaff}
              hint={
                ticket.status === 'closed'
                  ? 'This ticket is closed: your reply opens a follow-up ticket that links it.'
                  : ticket.status === 'resolved' && !isStaff
                    ? 'A reply reopens the ticket. Markdown works.'
                    : undefined
              }
            />
          )}
        </div>
        <aside className="stack" aria-label="Ticket details">
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Opened</dt>
              <dd>
                {formatDateTime(ticket.created_at)} by{' '}
                {authorName({ id: ticket.created_by, role: 'customer' }, viewer, names)}
              </dd>
              <dt>Last activity</dt>
              <dd>{formatDateTime(ticket.last_activity_at)}</dd>
              {ticket.sla_first_response_due_at && (
                <>
                  <dt>First response target</dt>
                  <dd>
                    {formatDateTime(ticket.sla_first_response_due_at)}
                    {ticket.first_response_at && ` (answered ${formatDateTime(ticket.first_response_at)})`}
                  </dd>
                </>
              )}
              {ticket.sla_resolution_due_at && (
                <>
                  <dt>Resolution target</dt>
                  <dd>{formatDateTime(ticket.sla_resolution_due_at)}</dd>
                </>
              )}
              {ticket.resolved_at && (
                <>
                  <dt>Resolved</dt>
                  <dd>{formatDateTime(ticket.resolved_at)}</dd>
                </>
              )}
              {!isStaff && (
                <>
                  <dt>Assigned</dt>
                  <dd>{ticket.assignee_id ? 'An agent is on it' : 'Waiting for an agent'}</dd>
                </>
              )}
            </dl>
            {isStaff && canWrite && ticket.status !== 'closed' && <AssignControl ticket={ticket} />}
            {ticket.follow_ups.length > 0 && (
              <p>
                Follow-ups:{' '}
                {ticket.follow_ups.map((followUp) => (
                  <Link key={followUp.id} to={`/support/${isStaff ? followUp.id : followUp.reference}`}>
                    {followUp.reference}
                  </Link>
                ))}
              </p>
            )}
          </section>
          <TicketHistory ticketRef={ticketRef} viewer={viewer} agentNames={names} now={now} />
        </aside>
      </div>
    </>
  );
}

function StatusActions({ ticket, actions }: { ticket: TicketDetail; actions: StatusAction[] }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<StatusAction | null>(null);
  const change = useMutation({
    mutationFn: (to: TicketStatus) => changeTicket(ticket.id, { status: to }),
    onSuccess: () => setConfirming(null),
    onSettled: () => queryClient.invalidateQueries({ queryKey: supportKeys.all }),
  });
  if (actions.length === 0) return null;
  return (
    <div className="status-actions">
      <div className="row" role="group" aria-label="Status actions">
        {actions.map((action) => (
          <button
            key={action.to}
            type="button"
            className={action.to === 'resolved' ? 'btn btn-primary' : 'btn'}
            disabled={change.isPending}
            onClick={() => (action.confirm ? setConfirming(action) : change.mutate(action.to))}
          >
            {action.label}
          </button>
        ))}
      </div>
      <ActionError error={change.error} />
      <ConfirmDialog
        open={confirming !== null}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Close ${ticket.reference}?`}
        description="Closed tickets are final: a later reply opens a new follow-up ticket instead."
        confirmLabel="Close ticket"
        pending={change.isPending}
        onConfirm={() => confirming && change.mutate(confirming.to)}
      />
    </div>
  );
}
