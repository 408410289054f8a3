import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { SelectField } from '../../ui/field.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { ActionError, EmptyState, QueryView } from '../../ui/states.tsx';
import { useToasts } from '../../ui/toasts.tsx';
import { webhookKeys } from './queries.ts';
import type { DeliveryFilters } from './queries.ts';
import type { Attempt, Delivery, DeliveryStatus, Endpoint } from './types.ts';
import { badgeClass, describeAttempt, headerLines, outcomeTone, prettyJson } from './webhook-logic.ts';
import type { HealthTone } from './webhook-logic.ts';

const PAGE_SIZE = 20;
/** While a delivery is pending the log re-reads itself, so its outcome appears without a click. */
const PENDING_REFRESH_MS = 2000;

const STATUS_TONES: Record<DeliveryStatus, HealthTone> = {
  pending: 'warning',
  delivered: 'success',
  failed: 'danger',
};
const STATUS_LABELS: Record<DeliveryStatus, string> = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' };

export function DeliveryLog({
  endpoint,
  eventTypes,
  canManage,
}: {
  endpoint: Endpoint;
  /** The event types to filter by: the endpoint's subscription, or the whole catalog for `*`. */
  eventTypes: string[];
  canManage: boolean;
}) {
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [filters, setFilters] = useState<DeliveryFilters>({ status: '', eventType: '' });
  const [openDelivery, setOpenDelivery] = useState<string | null>(null);
  const { push } = useToasts();

  const log = useQuery({
    queryKey: webhookKeys.deliveryPage(endpoint.id, filters, pages.cursor),
    queryFn: async () =>
      data(
        await api.GET('/v1/webhooks/{id}/deliveries', {
          params: {
            path: { id: endpoint.id },
            query: {
              limit: PAGE_SIZE,
              cursor: pages.cursor,
              status: filters.status === '' ? undefined : filters.status,
              event_type: filters.eventType === '' ? undefined : filters.eventType,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.deliveries.some((delivery) => delivery.status === 'pending') ? PENDING_REFRESH_MS : false,
  });

  const retry = useMutation({
    mutationFn: async (deliveryId: string) =>
      data(
        await api.POST('/v1/webhooks/{id}/deliveries/{delivery_id}/retry', {
          params: { path: { id: endpoint.id, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: (_queued, deliveryId) => {
      push({
        id: `webhook-retry-${deliveryId}-${Date.now()}`,
        title: 'Delivery queued again',
        tone: 'success',
        durationMs: 5000,
      });
      void queryClient.invalidateQueries({ queryKey: webhookKeys.endpoint(endpoint.id) });
    },
  });

  const setFilter = (next: Partial<DeliveryFilters>) => {
    setFilters({ ...filters, ...next });
    pages.reset();
  };

  return (
    <section className="card stack" aria-labelledby="wh-log-title">
      <h2 id="wh-log-title">Delivery log</h2>
      <div className="toolbar">
        <SelectField
          label="Status"
          value={filters.status}
          onChange={(event) => setFilter({ status: event.target.value as DeliveryFilters['status'] })}
        >
          <option value="">All statuses</option>
          {(Object.keys(STATUS_LABELS) as DeliveryStatus[]).map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Event type"
          value={filters.eventType}
          onChange={(event) => setFilter({ eventType: event.target.value })}
        >
          <option value="">All event types</option>
          {eventTypes.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </SelectField>
        <button
          type="button"
          className="btn"
          disabled={log.isFetching}
          onClick={() => void queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(endpoint.id) })}
        >
          {log.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ActionError error={retry.error} />
      <QueryView query={log}>
        {(page) =>
          page.deliveries.length === 0 ? (
            <EmptyState
              title={filters.status || filters.eventType ? 'No deliveries match these filters' : 'No deliveries yet'}
            >
              <p className="muted">
                Deliveries appear here when a subscribed event happens. Test sends are not logged.
              </p>
            </EmptyState>
          ) : (
            <>
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">Deliveries, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Event</th>
                      <th scope="col">Status</th>
                      <th scope="col" className="num">
                        Attempts
                      </th>
                      <th scope="col">Last response</th>
                      <th scope="col">Created</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.deliveries.map((delivery) => (
                      <DeliveryRow
                        key={delivery.id}
                        delivery={delivery}
                        canRetry={canManage && delivery.status !== 'pending'}
                        retrying={retry.isPending && retry.variables === delivery.id}
                        onOpen={() => setOpenDelivery(delivery.id)}
                        onRetry={() => retry.mutate(delivery.id)}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
              <CursorPagination pages={pages} nextCursor={page.next_cursor} label="Delivery log" />
            </>
          )
        }
      </QueryView>
      <DeliveryDialog
        endpoint={endpoint}
        deliveryId={openDelivery}
        onClose={() => setOpenDelivery(null)}
        canRetry={canManage}
        onRetry={(deliveryId) => retry.mutate(deliveryId)}
        retrying={retry.isPending}
      />
    </section>
  );
}

function DeliveryRow({
  delivery,
  canRetry,
  retrying,
  onOpen,
  onRetry,
}: {
  delivery: Delivery;
  canRetry: boolean;
  retrying: boolean;
  onOpen: () => void;
  onRetry: () => void;
}) {
  return (
    <tr>
      <td>
        <code>{delivery.event_type}</code>
      </td>
      <td>
        <span className={badgeClass(STATUS_TONES[delivery.status])}>{STATUS_LABELS[delivery.status]}</span>
        {delivery.status === 'pending' && delivery.next_attempt_at && (
          <div className="muted">next {formatDateTime(delivery.next_attempt_at)}</div>
        )}
      </td>
      <td className="num">{delivery.attempts}</td>
      <td>
        {delivery.last_response_status !== null
          ? `HTTP ${delivery.last_response_status}`
          : (delivery.last_error_class ?? '—')}
      </td>
      <td>{formatDateTime(delivery.created_at)}</td>
      <td>
        <div className="row">
          <button
            type="button"
            className="btn btn-small"
            onClick={onOpen}
            aria-label={`Details of ${delivery.event_type} delivery ${delivery.id}`}
          >
            Details
          </button>
          {canRetry && (
            <button
              type="button"
              className="btn btn-small"
              disabled={retrying}
              onClick={onRetry}
              aria-label={`Retry ${delivery.event_type} delivery ${delivery.id}`}
            >
              Retry
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

function DeliveryDialog({
  endpoint,
  deliveryId,
  onClose,
  canRetry,
  onRetry,
  retrying,
}: {
  endpoint: Endpoint;
  deliveryId: string | null;
  onClose: () => void;
  canRetry: boolean;
  onRetry: (deliveryId: string) => void;
  retrying: boolean;
}) {
  return (
    <Dialog
      open={deliveryId !== null}
      onOpenChange={(open) => !open && onClose()}
      wide
      title="Delivery"
      description="The body sent and every attempt's request and response."
    >
      {deliveryId && (
        <DeliveryDetailView
          endpoint={endpoint}
          deliveryId={deliveryId}
          canRetry={canRetry}
          onRetry={() => onRetry(deliveryId)}
          retrying={retrying}
        />
      )}
    </Dialog>
  );
}

function DeliveryDetailView({
  endpoint,
  deliveryId,
  canRetry,
  onRetry,
  retrying,
}: {
  endpoint: Endpoint;
  deliveryId: string;
  canRetry: boolean;
  onRetry: () => void;
  retrying: boolean;
}) {
  const detail = useQuery({
    queryKey: webhookKeys.delivery(endpoint.id, deliveryId),
    queryFn: async () =>
      data(
        await api.GET('/v1/webhooks/{id}/deliveries/{delivery_id}', {
          params: { path: { id: endpoint.id, delivery_id: deliveryId } },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? PENDING_REFRESH_MS : false),
  });
  return (
    <QueryView query={detail}>
      {(delivery) => {
        const body = prettyJson(delivery.payload);
        return (
          <div className="stack wh-detail">
            <dl className="wh-facts">
              <dt>Event</dt>
              <dd>
                <code>{delivery.event_type}</code> · <code>{delivery.event_id}</code>
              </dd>
              <dt>Status</dt>
              <dd>
                <span className={badgeClass(STATUS_TONES[delivery.status])}>{STATUS_LABELS[delivery.status]}</span>
              </dd>
              <dt>Created</dt>
              <dd>{formatDateTime(delivery.created_at)}</dd>
              {delivery.delivered_at && (
                <>
                  <dt>Delivered</dt>
                  <dd>{formatDateTime(delivery.delivered_at)}</dd>
                </>
              )}
              {delivery.next_attempt_at && (
                <>
                  <dt>Next attempt</dt>
                  <dd>{formatDateTime(delivery.next_attempt_at)}</dd>
                </>
              )}
            </dl>
            {canRetry && delivery.status !== 'pending' && (
              <div className="row">
                <button type="button" className="btn" disabled={retrying} onClick={onRetry}>
                  Retry this delivery
                </button>
              </div>
            )}
            <h3>Attempts ({delivery.attempt_log.length})</h3>
            {delivery.attempt_log.length === 0 ? (
              <p className="muted">No attempt yet.</p>
            ) : (
              delivery.attempt_log.map((attempt, index) => (
                <AttemptView
                  key={attempt.id}
                  attempt={attempt}
                  url={endpoint.url}
                  body={body}
                  open={index === delivery.attempt_log.length - 1}
                />
              ))
            )}
          </div>
        );
      }}
    </QueryView>
  );
}

function AttemptView({ attempt, url, body, open }: { attempt: Attempt; url: string; body: string; open: boolean }) {
  const summary = describeAttempt(attempt);
  return (
    <details className="wh-attempt" open={open}>
      <summary>
        {summary.title}: <span className={badgeClass(outcomeTone(attempt.outcome))}>{summary.outcome}</span>{' '}
        <span className="muted">
          {summary.facts.join(' · ')} · {formatDateTime(attempt.created_at)}
        </span>
      </summary>
      <div className="stack">
        <div>
          <h4>Request</h4>
          <p className="wh-url">
            <code>POST {url}</code>
          </p>
          <HeaderTable headers={headerLines(attempt.request_headers)} caption="Request headers" />
          <p className="muted">Body (indented here for reading; sent compact)</p>
          <pre tabIndex={0}>{body}</pre>
        </div>
        <div>
          <h4>Response</h4>
          {attempt.response_status === null ? (
            <p>No response{attempt.error_message ? `: ${attempt.error_message}` : ''}</p>
          ) : (
            <>
              <p>
                Status <strong>{attempt.response_status}</strong> in {attempt.duration_ms} ms
              </p>
              <HeaderTable headers={headerLines(attempt.response_headers)} caption="Response headers" />
              {attempt.response_body ? (
                <>
                  <p className="muted">Body</p>
                  <pre tabIndex={0}>
                    {prettyJson(attempt.response_body)}
                    {attempt.response_truncated ? '\n… (cut off after 4 KiB)' : ''}
                  </pre>
                </>
              ) : (
                <p className="muted">Empty body</p>
              )}
            </>
          )}
        </div>
      </div>
    </details>
  );
}

function HeaderTable({ headers, caption }: { headers: Array<[string, string]>; caption: string }) {
  if (headers.length === 0) return <p className="muted">No headers recorded</p>;
  return (
    <div className="table-wrap">
      <table className="wh-headers">
        <caption className="visually-hidden">{caption}</caption>
        <tbody>
          {headers.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
