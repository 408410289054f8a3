/**
 * The webhook use cases behind the routes: endpoint CRUD with the per-tenant cap, secrets shown
 * once and rotated with a grace period, delivery logs, manual retry, recovery, the synchronous
 * test send, stats and the internal event ingest. Throws AppError; knows no HTTP.
 */
import type { Kysely } from 'kysely';
import type { Static } from 'typebox';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { Database } from '../database/schema.ts';
import { prefixedId } from '../database/ids.ts';
import { emitEvent } from '../events/outbox.ts';
import { AppError, invalidField, notFound } from '../errors/app-error.ts';
import { toPage } from '../database/pagination.ts';
import type { Page } from '../database/pagination.ts';
import { scopeOf } from '../identity/auth-context.ts';
import type { AuthContext, TenantScope } from '../identity/auth-context.ts';
import { enqueueJobs } from '../jobs/enqueue.ts';
import { catalogEntry, TEST_EVENT_TYPE, validateEventData } from './catalog.ts';
import { deliveryJob, signAndSend } from './delivery.ts';
import type { WebhookNetworkPolicy } from './policy.ts';
import {
  customerExists,
  endpointRepository,
  messageRepository,
  NEWEST_ENDPOINTS,
  NEWEST_MESSAGES,
} from './repository.ts';
import type { Attempt, Endpoint, Message, MessageSummary } from './repository.ts';
import type { CreateWebhookBody, PublishEventBody, UpdateWebhookBody, DeliveryListQuery } from './schemas.ts';
import {
  DEFAULT_GRACE_SECONDS,
  newSealedSecret,
  openHeaders,
  parseSecrets,
  rotateSecrets,
  sealHeaders,
  validSecrets,
} from './secrets.ts';
import { windowStats } from './stats.ts';
import type { WindowStats } from './stats.ts';
import type { WebhookEndpointsTable } from './tables.ts';
import { WebhookTransport } from './transport.ts';
import { checkEvents, checkHeaders, checkSchedule, checkUrl } from './validation.ts';
import type { Resolve } from './validation.ts';
import type { Updateable } from 'kysely';

/** What the service is built from. */
export interface WebhookServiceDeps {
  db: Kysely<Database>;
  clock: () => Date;
  keyRing: KeyRing;
  policy: WebhookNetworkPolicy;
  maxEndpointsPerTenant: number;
  attemptTimeoutMs: number;
  connectTimeoutMs: number;
  wakeWorkers: () => void;
  resolve?: Resolve;
}

const RECOVER_LIMIT = 10_000;

/** Builds the service (see the module comment). */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, clock } = deps;
  let transport: WebhookTransport | undefined;

  function tenantScope(auth: AuthContext): TenantScope & { customerId: string } {
    const scope = scopeOf(auth);
    if (scope.kind !== 'tenant') throw new AppError('forbidden', 'Webhooks are managed by the tenant');
    return scope;
  }

  async function endpointOf(scope: TenantScope, id: string, executor: Kysely<Database> = db): Promise<Endpoint> {
    const endpoint = await endpointRepository(executor, scope).find(id);
    if (!endpoint) throw notFound('Webhook');
    return endpoint;
  }

  return {
    /** Creates an endpoint; returns it with its secret (the only time the secret is shown). */
    async create(auth: AuthContext, body: CreateWebhookBody): Promise<{ endpoint: Endpoint; secret: string }> {
      const scope = tenantScope(auth);
      const url = await checkUrl(body.url, deps.policy, deps.resolve);
      const events = checkEvents(body.events);
      const headers = checkHeaders(body.headers ?? {});
      const schedule = body.retry_schedule_seconds ? checkSchedule(body.retry_schedule_seconds) : null;
      return db.transaction().execute(async (trx) => {
        const repo = endpointRepository(trx, scope);
        const count = await repo.count();
        if (count >= deps.maxEndpointsPerTenant) {
          throw new AppError(
            'unprocessable',
            `A tenant can have at most ${deps.maxEndpointsPerTenant} webhook endpoints`,
            { extra: { limit: deps.maxEndpointsPerTenant } },
          );
        }
        const now = clock();
        const iso = now.toISOString();
        const id = prefixedId('wh', now.getTime());
        const { secret, stored } = newSealedSecret(deps.keyRing, id, now);
        await repo.insert({
          id,
          customer_id: scope.customerId,
          url,
          description: body.description ?? '',
          events: JSON.stringify(events),
          status: body.active === false ? 'disabled_by_user' : 'enabled',
          custom_headers: sealHeaders(deps.keyRing, id, headers),
          rate_limit_per_second: body.rate_limit_per_second ?? null,
          retry_schedule: schedule ? JSON.stringify(schedule) : null,
          secrets: JSON.stringify([stored]),
          created_at: iso,
          updated_at: iso,
          last_delivery_at: null,
          delivery_success_count: 0,
          delivery_failure_count: 0,
          consecutive_failures: 0,
          failing_since: null,
          circuit_open_until: null,
          rate_tat: null,
          disabled_at: body.active === false ? iso : null,
          disabled_reason: body.active === false ? 'disabled by user' : null,
        });
        return { endpoint: await endpointOf(scope, id, trx), secret };
      });
    },

    /** One page of the tenant's endpoints, newest first. */
    async list(
      auth: AuthContext,
      page: { limit?: number | undefined; cursor?: string | undefined },
    ): Promise<Page<Endpoint>> {
      const rows = await endpointRepository(db, scopeOf(auth)).list(page);
      return toPage(rows, NEWEST_ENDPOINTS, page.limit, (r) => ({ value: r.created_at, id: r.id }));
    },

    async get(auth: AuthContext, id: string): Promise<Endpoint> {
      return endpointOf(scopeOf(auth), id);
    },

    /** Partial update; `active: true` re-enables (and clears the failure state), `false` disables. */
    async update(auth: AuthContext, id: string, body: UpdateWebhookBody): Promise<Endpoint> {
      const scope = tenantScope(auth);
      const current = await endpointOf(scope, id);
      const now = clock().toISOString();
      const patch: Updateable<WebhookEndpointsTable> = { updated_at: now };
      if (body.url !== undefined) patch.url = await checkUrl(body.url, deps.policy, deps.resolve);
      if (body.events !== undefined) patch.events = JSON.stringify(checkEvents(body.events));
      if (body.description !== undefined) patch.description = body.description;
      if (body.headers !== undefined)
        patch.custom_headers = sealHeaders(deps.keyRing, id, checkHeaders(body.headers), current.custom_headers);
      if (body.rate_limit_per_second !== undefined) patch.rate_limit_per_second = body.rate_limit_per_second;
      if (body.retry_schedule_seconds !== undefined)
        patch.retry_schedule =
          body.retry_schedule_seconds === null ? null : JSON.stringify(checkSchedule(body.retry_schedule_seconds));
      if (body.active === true)
        Object.assign(patch, {
          status: 'enabled',
          disabled_at: null,
          disabled_reason: null,
          consecutive_failures: 0,
          failing_since: null,
          circuit_open_until: null,
        });
      if (body.active === false)
        Object.assign(patch, { status: 'disabled_by_user', disabled_at: now, disabled_reason: 'disabled by user' });
      const updated = await endpointRepository(db, scope).update(id, patch);
      if (!updated) throw notFound('Webhook');
      return updated;
    },

    /** Deletes the endpoint and its delivery log. */
    async remove(auth: AuthContext, id: string): Promise<void> {
      const scope = tenantScope(auth);
      const deleted = await db.transaction().execute((trx) => endpointRepository(trx, scope).delete(id));
      if (!deleted) throw notFound('Webhook');
    },

    /** New secret now; the previous ones keep signing for the grace period. */
    async rotateSecret(
      auth: AuthContext,
      id: string,
      graceSeconds = DEFAULT_GRACE_SECONDS,
    ): Promise<{ secret: string; expiresAt: string }> {
      const scope = tenantScope(auth);
      return db.transaction().execute(async (trx) => {
        const endpoint = await endpointOf(scope, id, trx);
        const now = clock();
        const { secret, stored } = newSealedSecret(deps.keyRing, id, now);
        const secrets = rotateSecrets(parseSecrets(endpoint.secrets), stored, graceSeconds, now);
        await endpointRepository(trx, scope).update(id, {
          secrets: JSON.stringify(secrets),
          updated_at: now.toISOString(),
        });
        return { secret, expiresAt: new Date(now.getTime() + graceSeconds * 1000).toISOString() };
      });
    },

    /** One page of an endpoint's deliveries, newest first, filtered in the query. */
    async listDeliveries(
      auth: AuthContext,
      id: string,
      query: Static<typeof DeliveryListQuery>,
    ): Promise<Page<MessageSummary>> {
      const scope = scopeOf(auth);
      await endpointOf(scope, id);
      const rows = await messageRepository(db, scope).list(
        id,
        { status: query.status, eventType: query.event_type },
        query,
      );
      return toPage(rows, NEWEST_MESSAGES, query.limit, (r) => ({ value: r.created_at, id: r.id }));
    },

    /** A delivery with every attempt. */
    async getDelivery(
      auth: AuthContext,
      id: string,
      deliveryId: string,
    ): Promise<{ message: Message; attempts: Attempt[] }> {
      const scope = scopeOf(auth);
      const messages = messageRepository(db, scope);
      const message = await messages.find(id, deliveryId);
      if (!message) throw notFound('Delivery');
      return { message, attempts: await messages.attemptsOf(deliveryId) };
    },

    /** Sends a failed or delivered message again, once; a pending one is already scheduled. */
    async retry(auth: AuthContext, id: string, deliveryId: string): Promise<Message> {
      const scope = tenantScope(auth);
      const message = await db.transaction().execute(async (trx) => {
        const messages = messageRepository(trx, scope);
        const found = await messages.find(id, deliveryId);
        if (!found) throw notFound('Delivery');
        if (found.status === 'pending')
          throw new AppError('conflict', 'This delivery is already scheduled', {
            extra: { next_attempt_at: found.next_attempt_at },
          });
        const now = clock();
        await messages.markPending([found.id], now.toISOString());
        await enqueueJobs(trx, [deliveryJob(found.id, Number(found.attempts) + 1, 'manual')], now);
        return (await messages.find(id, deliveryId)) as Message;
      });
      deps.wakeWorkers();
      return message;
    },

    /** Queues every failed delivery created since `since` again (at most 10,000 per call). */
    async recover(auth: AuthContext, id: string, since: string): Promise<number> {
      const scope = tenantScope(auth);
      const sinceIso = new Date(since).toISOString();
      const count = await db.transaction().execute(async (trx) => {
        await endpointOf(scope, id, trx);
        const messages = messageRepository(trx, scope);
        const failed = await messages.failedSince(id, sinceIso, RECOVER_LIMIT);
        const now = clock();
        await messages.markPending(
          failed.map((m) => m.id),
          now.toISOString(),
        );
        await enqueueJobs(
          trx,
          failed.map((m) => deliveryJob(m.id, Number(m.attempts) + 1, 'recover')),
          now,
        );
        return failed.length;
      });
      if (count > 0) deps.wakeWorkers();
      return count;
    },

    /** Sends a `webhook.test` event now through the same signer and SSRF guard; nothing is stored. */
    async test(auth: AuthContext, id: string) {
      const scope = tenantScope(auth);
      const endpoint = await endpointOf(scope, id);
      const now = clock();
      const eventId = prefixedId('evt', now.getTime());
      const body = JSON.stringify({
        id: eventId,
        type: TEST_EVENT_TYPE,
        timestamp: now.toISOString(),
        customer_id: endpoint.customer_id,
        data: { webhook_id: endpoint.id, message: 'This is a test event from SecureBase.' },
      });
      transport ??= new WebhookTransport();
      const { result } = await signAndSend(transport, {
        url: endpoint.url,
        eventId,
        eventType: TEST_EVENT_TYPE,
        attemptId: prefixedId('atm', now.getTime()),
        body,
        secrets: validSecrets(deps.keyRing, endpoint.id, endpoint.secrets, now),
        customHeaders: openHeaders(deps.keyRing, endpoint.id, endpoint.custom_headers),
        now,
        policy: deps.policy,
        timeoutMs: deps.attemptTimeoutMs,
        connectTimeoutMs: deps.connectTimeoutMs,
      });
      return {
        success: result.ok,
        status_code: result.status ?? null,
        response: result.responseBody,
        duration_ms: Math.round(result.durationMs),
        error_class: result.errorClass ?? null,
        error_message: result.errorMessage ?? null,
      };
    },

    /** Success rate and latency percentiles over 24 h and 7 days. */
    async stats(auth: AuthContext, id: string): Promise<{ last_24h: WindowStats; last_7d: WindowStats }> {
      const scope = scopeOf(auth);
      await endpointOf(scope, id);
      const now = clock().getTime();
      const day = new Date(now - 86_400_000).toISOString();
      const week = await messageRepository(db, scope).attemptSample(id, new Date(now - 7 * 86_400_000).toISOString());
      return { last_24h: windowStats(week.filter((a) => a.created_at >= day)), last_7d: windowStats(week) };
    },

    /** Publishes an external event (invoices, compliance, usage, API keys) through the outbox. */
    async publish(
      body: PublishEventBody,
    ): Promise<{ id: string; type: string; customer_id: string; created_at: string }> {
      const info = catalogEntry(body.type);
      if (!info || !info.external)
        throw invalidField('type', 'must be an external catalog type: invoice.*, compliance.*, usage.* or api_key.*');
      const problems = validateEventData(body.type, body.data);
      if (problems.length > 0)
        throw new AppError('validation_failed', `data does not match the ${body.type} schema`, {
          errors: problems.map((message) => ({ field: 'data', message })),
        });
      const record = await db.transaction().execute(async (trx) => {
        if (!(await customerExists(trx, body.customer_id))) throw invalidField('customer_id', 'is not a tenant');
        return emitEvent(trx, { type: body.type, customerId: body.customer_id, data: body.data }, clock());
      });
      deps.wakeWorkers();
      return { id: record.id, type: record.type, customer_id: body.customer_id, created_at: record.createdAt };
    },

    /** Closes the test-send transport (shutdown). */
    async close(): Promise<void> {
      await transport?.close();
    },
  };
}

/** The service's type. */
export type WebhookService = ReturnType<typeof createWebhookService>;
