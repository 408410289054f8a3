import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { EmptyState, QueryView } from '../../ui/states.tsx';
import { EndpointDialog } from './endpoint-dialog.tsx';
import { webhookKeys } from './queries.ts';
import { SecretDialog } from '../../ui/secret-dialog.tsx';
import type { Endpoint } from './types.ts';
import { badgeClass, endpointHealth, eventsSummary } from './webhook-logic.ts';
import './webhooks.css';

const PAGE_SIZE = 25;

export default function WebhooksPage() {
  const { can } = useSession();
  const canManage = can('webhooks:manage');
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ webhook: Endpoint; secret: string } | null>(null);

  const list = useQuery({
    queryKey: webhookKeys.list(pages.cursor),
    queryFn: async () =>
      data(await api.GET('/v1/webhooks', { params: { query: { limit: PAGE_SIZE, cursor: pages.cursor } } })),
    placeholderData: keepPreviousData,
  });

  const addButton = canManage && (
    <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
      Add endpoint
    </button>
  );

  return (
    <div className="stack wh-page">
      <PageHeader
        title="Webhooks"
        description="Endpoints that receive signed events from SecureBase."
        actions={addButton}
      />
      <QueryView query={list}>
        {(page) =>
          page.webhooks.length === 0 && pages.pageNumber === 1 ? (
            <EmptyState title="No webhook endpoints yet">
              <p className="muted">
                {canManage
                  ? 'Add an endpoint to receive ticket, invoice and compliance events as they happen.'
                  : 'An administrator of your organisation can add endpoints.'}
              </p>
              {addButton}
            </EmptyState>
          ) : (
            <div className="card stack">
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">Webhook endpoints</caption>
                  <thead>
                    <tr>
                      <th scope="col">Endpoint</th>
                      <th scope="col">Status</th>
                      <th scope="col">Events</th>
                      <th scope="col" className="num">
                        Delivered
                      </th>
                      <th scope="col" className="num">
                        Failed
                      </th>
                      <th scope="col">Last delivery</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.webhooks.map((endpoint) => (
                      <EndpointRow key={endpoint.id} endpoint={endpoint} />
                    ))}
                  </tbody>
                </table>
              </div>
              <CursorPagination pages={pages} nextCursor={page.next_cursor} label="Endpoints" />
            </div>
          )
        }
      </QueryView>
      {canManage && (
        <EndpointDialog open={creating} onOpenChange={setCreating} onCreated={(result) => setCreated(result)} />
      )}
      <SecretDialog
        secret={created?.secret ?? null}
        title="Endpoint added"
        label="signing secret"
        explanation="Store it with your receiver: it verifies that deliveries come from SecureBase."
        note={created ? `Deliveries to ${created.webhook.url} are signed with this secret.` : undefined}
        onClose={() => setCreated(null)}
      />
    </div>
  );
}

function EndpointRow({ endpoint }: { endpoint: Endpoint }) {
  const health = endpointHealth(endpoint);
  return (
    <tr>
      <td className="wh-endpoint-cell">
        <Link to={`/webhooks/${endpoint.id}`} className="wh-url">
          {endpoint.url}
        </Link>
        {endpoint.description && <div className="muted">{endpoint.description}</div>}
      </td>
      <td>
        <span className={badgeClass(health.tone)} title={health.detail}>
          {health.label}
        </span>
      </td>
      <td>{eventsSummary(endpoint.events)}</td>
      <td className="num">{endpoint.delivery_success_count}</td>
      <td className="num">{endpoint.delivery_failure_count}</td>
      <td>{formatDateTime(endpoint.last_delivery_at)}</td>
    </tr>
  );
}
