import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { TextField } from '../../ui/field.tsx';
import { formatDateTime, formatPercent } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { ActionError, QueryView } from '../../ui/states.tsx';
import { DeliveryLog } from './delivery-log.tsx';
import { EndpointDialog } from './endpoint-dialog.tsx';
import { useEndpointStats, useEventCatalog, webhookKeys } from './queries.ts';
import { SecretDialog } from '../../ui/secret-dialog.tsx';
import type { Endpoint, Stats, TestResult } from './types.ts';
import { badgeClass, endpointHealth, eventsSummary, isoToLocalDateTime, localDateTimeToIso } from './webhook-logic.ts';
import { VerifyPanel } from './verify-panel.tsx';
import './webhooks.css';

export default function WebhookPage() {
  const { id = '' } = useParams();
  const endpoint = useQuery({
    queryKey: webhookKeys.endpoint(id),
    queryFn: async () => data(await api.GET('/v1/webhooks/{id}', { params: { path: { id } } })),
  });
  return (
    <div className="stack wh-page">
      <p>
        <Link to="/webhooks">← All endpoints</Link>
      </p>
      <QueryView query={endpoint}>{(loaded) => <EndpointDetail endpoint={loaded} />}</QueryView>
    </div>
  );
}

function EndpointDetail({ endpoint }: { endpoint: Endpoint }) {
  const { can } = useSession();
  const canManage = can('webhooks:manage');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const stats = useEndpointStats(endpoint.id);
  const catalog = useEventCatalog();
  const health = endpointHealth(endpoint, stats.data);

  const [editing, setEditing] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [newSecret, setNewSecret] = useState<{ secret: string; previousExpireAt: string } | null>(null);

  const setActive = useMutation({
    mutationFn: async (active: boolean) =>
      data(await api.PATCH('/v1/webhooks/{id}', { params: { path: { id: endpoint.id } }, body: { active } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
  const rotate = useMutation({
    mutationFn: async () =>
      data(await api.POST('/v1/webhooks/{id}/rotate-secret', { params: { path: { id: endpoint.id } }, body: {} })),
    onSuccess: (rotated) => {
      setConfirmRotate(false);
      setNewSecret({ secret: rotated.secret, previousExpireAt: rotated.previous_secrets_expire_at });
    },
    // The refusal is shown on the page, not behind the closing dialog.
    onError: () => setConfirmRotate(false),
  });
  const test = useMutation({
    mutationFn: async () => data(await api.POST('/v1/webhooks/{id}/test', { params: { path: { id: endpoint.id } } })),
  });
  const remove = useMutation({
    mutationFn: async () => {
      await api.DELETE('/v1/webhooks/{id}', { params: { path: { id: endpoint.id } } });
    },
    // The endpoint's own queries are left to expire unobserved: removing them while this page is
    // still mounted (the navigation commits a moment later) would refetch the deleted endpoint.
    onSuccess: async () => {
      await navigate('/webhooks');
      await queryClient.invalidateQueries({ queryKey: webhookKeys.lists });
    },
    onError: () => setConfirmDelete(false),
  });

  const active = endpoint.status === 'enabled';
  const subscribed = endpoint.events.includes('*') ? (catalog.data?.map((e) => e.type) ?? []) : endpoint.events;

  return (
    <>
      <PageHeader
        title={endpoint.description || new URL(endpoint.url).host}
        description={<span className="wh-url">{endpoint.url}</span>}
        actions={
          canManage && (
            <>
              <button type="button" className="btn" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button
                type="button"
                className="btn"
                disabled={setActive.isPending}
                onClick={() => setActive.mutate(!active)}
              >
                {active ? 'Disable' : 'Enable'}
              </button>
              <button type="button" className="btn" onClick={() => setConfirmRotate(true)}>
                Rotate secret
              </button>
              <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            </>
          )
        }
      />
      <ActionError error={setActive.error} />

      <section className="card stack" aria-labelledby="wh-overview-title">
        <h2 id="wh-overview-title" className="visually-hidden">
          Overview
        </h2>
        <dl className="wh-facts">
          <dt>Status</dt>
          <dd>
            <span className={badgeClass(health.tone)}>{health.label}</span>
            {health.detail && <span className="muted"> {health.detail}</span>}
          </dd>
          <dt>Events</dt>
          <dd>{eventsSummary(endpoint.events, Infinity)}</dd>
          <dt>Deliveries</dt>
          <dd>
            {endpoint.delivery_success_count} delivered, {endpoint.delivery_failure_count} failed
          </dd>
          <dt>Last delivery</dt>
          <dd>{formatDateTime(endpoint.last_delivery_at)}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(endpoint.created_at)}</dd>
        </dl>
        <QueryView query={stats} loadingHeight={80}>
          {(loaded) => <StatsCards stats={loaded} />}
        </QueryView>
      </section>

      {canManage && (
        <section className="card stack" aria-labelledby="wh-test-title">
          <div>
            <h2 id="wh-test-title">Send a test event</h2>
            <p className="muted">
              Sends a signed <code>webhook.test</code> event now and shows the answer. It is not logged.
            </p>
          </div>
          <div className="row">
            <button type="button" className="btn btn-primary" disabled={test.isPending} onClick={() => test.mutate()}>
              {test.isPending ? 'Sending…' : 'Send test'}
            </button>
          </div>
          <ActionError error={test.error} />
          {test.data && <TestResultView result={test.data} />}
        </section>
      )}

      <DeliveryLog endpoint={endpoint} eventTypes={subscribed} canManage={canManage} />

      {canManage && <RecoverForm endpointId={endpoint.id} />}

      <VerifyPanel />

      {canManage && (
        <>
          <EndpointDialog open={editing} onOpenChange={setEditing} endpoint={endpoint} />
          <ConfirmDialog
            open={confirmRotate}
            onOpenChange={setConfirmRotate}
            title="Rotate the signing secret?"
            description="A new secret is created. The current one keeps signing for 24 hours, so you can update your receiver."
            confirmLabel="Rotate secret"
            pending={rotate.isPending}
            onConfirm={() => rotate.mutate()}
          />
          <ConfirmDialog
            open={confirmDelete}
            onOpenChange={setConfirmDelete}
            title="Delete this endpoint?"
            description="The endpoint and its delivery log are deleted; no more events are sent to it."
            confirmLabel="Delete endpoint"
            pending={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
          <ActionError error={rotate.error ?? remove.error} />
          <SecretDialog
            secret={newSecret?.secret ?? null}
            title="New signing secret"
            label="signing secret"
            explanation="Store it with your receiver. SecureBase keeps it encrypted and never shows it again."
            note={
              newSecret
                ? `The previous secret keeps signing until ${formatDateTime(newSecret.previousExpireAt)}.`
                : undefined
            }
            onClose={() => setNewSecret(null)}
          />
        </>
      )}
    </>
  );
}

function StatsCards({ stats }: { stats: Stats }) {
  const day = stats.last_24h;
  const week = stats.last_7d;
  const rate = (value: number | null) => (value === null ? '—' : formatPercent(value));
  const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);
  return (
    <div className="kpis">
      <div className="kpi">
        <div className="kpi-label">Success rate, 24 h</div>
        <div className="kpi-value">{rate(day.success_rate)}</div>
      </div>
      <div className="kpi">
        <div className="kpi-label">Attempts, 24 h</div>
        <div className="kpi-value">{day.attempts}</div>
      </div>
      <div className="kpi">
        <div className="kpi-label">Success rate, 7 days</div>
        <div className="kpi-value">{rate(week.success_rate)}</div>
      </div>
      <div className="kpi">
        <div className="kpi-label">Latency p50 / p95, 24 h</div>
        <div className="kpi-value">
          {ms(day.latency_ms.p50)} / {ms(day.latency_ms.p95)}
        </div>
      </div>
    </div>
  );
}

function TestResultView({ result }: { result: TestResult }) {
  return (
    <div
      className={result.success ? 'card wh-test-result' : 'card wh-test-result wh-failed'}
      role="status"
      aria-label="Test result"
    >
      <dl className="wh-facts">
        <dt>Result</dt>
        <dd>
          <span className={result.success ? 'badge badge-success' : 'badge badge-danger'}>
            {result.success ? 'Delivered' : 'Failed'}
          </span>
        </dd>
        <dt>Response code</dt>
        <dd>{result.status_code ?? 'No response'}</dd>
        <dt>Duration</dt>
        <dd>{result.duration_ms} ms</dd>
        {result.error_class && (
          <>
            <dt>Error</dt>
            <dd>
              {result.error_class}
              {result.error_message ? `: ${result.error_message}` : ''}
            </dd>
          </>
        )}
        {result.response && (
          <>
            <dt>Response body</dt>
            <dd>
              <pre tabIndex={0}>{result.response}</pre>
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

function RecoverForm({ endpointId }: { endpointId: string }) {
  const queryClient = useQueryClient();
  const [since, setSince] = useState(() => isoToLocalDateTime(new Date(Date.now() - 24 * 3600 * 1000)));
  const [error, setError] = useState<string | undefined>();
  const recover = useMutation({
    mutationFn: async (iso: string) =>
      data(await api.POST('/v1/webhooks/{id}/recover', { params: { path: { id: endpointId } }, body: { since: iso } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(endpointId) }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const iso = localDateTimeToIso(since);
    setError(iso ? undefined : 'Enter a date and time');
    if (iso) recover.mutate(iso);
  };
  return (
    <section className="card stack" aria-labelledby="wh-recover-title">
      <div>
        <h2 id="wh-recover-title">Recover failed deliveries</h2>
        <p className="muted">Sends every failed delivery created since a time again, for example after an outage.</p>
      </div>
      <form className="toolbar" onSubmit={submit} noValidate>
        <TextField
          label="Failed since"
          type="datetime-local"
          value={since}
          error={error}
          onChange={(event) => setSince(event.target.value)}
        />
        <button type="submit" className="btn" disabled={recover.isPending}>
          Recover
        </button>
      </form>
      <ActionError error={recover.error} />
      {recover.data && (
        <p role="status">
          {recover.data.recovered === 1
            ? '1 delivery queued again.'
            : `${recover.data.recovered} deliveries queued again.`}
        </p>
      )}
    </section>
  );
}
