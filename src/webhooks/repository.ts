/**
 * The SQL of the webhook feature (endpoints, messages, attempts) and nothing else. The tenant
 * repositories are bound to a TenantScope when created and start every query from it; the worker
 * code that addresses rows by id (delivery jobs, the recorder, retention) uses the separately
 * named system repository instead.
 */
import { sql } from 'kysely';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { adapterOf } from '../database/adapter.ts';
import type { TenantScope } from '../identity/auth-context.ts';
import { updateWithinScope, withinScope } from '../identity/scope.ts';
import type { SortKey } from '../database/pagination.ts';
import { pageQuery } from '../database/pagination.ts';
import type { Executor } from '../jobs/types.ts';
import type { EndpointId, MessageId } from './ids.ts';
import type { MessageStatus, WebhookAttemptsTable, WebhookEndpointsTable, WebhookMessagesTable } from './tables.ts';

export type Endpoint = Selectable<WebhookEndpointsTable>;
export type Message = Selectable<WebhookMessagesTable>;
export type Attempt = Selectable<WebhookAttemptsTable>;
/** A message without its body (lists). */
export type MessageSummary = Omit<Message, 'body'>;

type Page = { limit?: number | undefined; cursor?: string | undefined };

/** Newest first, id as tiebreaker. */
export const NEWEST_ENDPOINTS: SortKey = {
  name: 'created_at',
  expression: sql.ref('webhook_endpoints.created_at'),
  idColumn: 'webhook_endpoints.id',
  direction: 'desc',
};
export const NEWEST_MESSAGES: SortKey = {
  name: 'created_at',
  expression: sql.ref('webhook_messages.created_at'),
  idColumn: 'webhook_messages.id',
  direction: 'desc',
};

const MESSAGE_SUMMARY = [
  'webhook_messages.id',
  'webhook_messages.endpoint_id',
  'webhook_messages.customer_id',
  'webhook_messages.event_id',
  'webhook_messages.event_type',
  'webhook_messages.status',
  'webhook_messages.attempts',
  'webhook_messages.next_attempt_at',
  'webhook_messages.last_attempt_at',
  'webhook_messages.last_response_status',
  'webhook_messages.last_error_class',
  'webhook_messages.delivered_at',
  'webhook_messages.created_at',
  'webhook_messages.updated_at',
] as const;

/** Attempt-log rows per INSERT. */
export const ATTEMPT_INSERT_CHUNK = 500;

/** One batch's attempts to one endpoint, in order, as its counters and breaker input need them. */
export interface EndpointResults {
  id: string;
  successes: number;
  failures: number;
  /** Failures after the batch's last success (all of them when it had none). */
  trailingFailures: number;
  firstTrailingFailureAt: string | null;
  lastAt: string;
}

/** An endpoint's breaker/failing state after a batch's results. */
export type EndpointState = Pick<Endpoint, 'consecutive_failures' | 'failing_since' | 'status' | 'customer_id' | 'url'>;

/** What a delivery attempt needs, read in one query. */
export interface DeliveryRow {
  message: Pick<
    Message,
    'id' | 'endpoint_id' | 'customer_id' | 'event_id' | 'event_type' | 'body' | 'status' | 'attempts'
  >;
  endpoint: Pick<
    Endpoint,
    | 'id'
    | 'url'
    | 'status'
    | 'secrets'
    | 'custom_headers'
    | 'rate_limit_per_second'
    | 'retry_schedule'
    | 'consecutive_failures'
    | 'circuit_open_until'
    | 'rate_tat'
  >;
}

/** Endpoint queries of one tenant scope. */
export function endpointRepository(db: Executor, scope: TenantScope) {
  return {
    async insert(row: Insertable<WebhookEndpointsTable>): Promise<void> {
      if (scope.customerId !== undefined && row.customer_id !== scope.customerId)
        throw new Error('endpoint outside the repository scope');
      await db.insertInto('webhook_endpoints').values(row).execute();
    },

    async count(): Promise<number> {
      const row = await withinScope(
        db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll().as('n')),
        scope,
        'webhook_endpoints.customer_id',
      ).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async find(id: EndpointId): Promise<Endpoint | undefined> {
      return withinScope(db.selectFrom('webhook_endpoints').selectAll(), scope, 'webhook_endpoints.customer_id')
        .where('webhook_endpoints.id', '=', id)
        .executeTakeFirst();
    },

    async list(page: Page): Promise<Endpoint[]> {
      return pageQuery(
        withinScope(db.selectFrom('webhook_endpoints').selectAll(), scope, 'webhook_endpoints.customer_id'),
        NEWEST_ENDPOINTS,
        page,
      ).execute();
    },

    /** Enabled endpoints of one tenant that existed when the event happened (fan-out); the type filter is the caller's. */
    async enabledOf(createdBy: string): Promise<Pick<Endpoint, 'id' | 'events'>[]> {
      return withinScope(
        db.selectFrom('webhook_endpoints').select(['id', 'events']),
        scope,
        'webhook_endpoints.customer_id',
      )
        .where('status', '=', 'enabled')
        .where('created_at', '<=', createdBy)
        .execute();
    },

    async update(id: EndpointId, patch: Updateable<WebhookEndpointsTable>): Promise<Endpoint | undefined> {
      return updateWithinScope(db.updateTable('webhook_endpoints').set(patch), scope, 'webhook_endpoints.customer_id')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    /** Deletes the endpoint with its messages and attempts; false when not found in scope. */
    async delete(id: EndpointId): Promise<boolean> {
      const found = await this.find(id);
      if (!found) return false;
      await db.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
      await db.deleteFrom('webhook_messages').where('endpoint_id', '=', id).execute();
      await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
      return true;
    },
  };
}

/** Message and attempt queries of one tenant scope. */
export function messageRepository(db: Executor, scope: TenantScope) {
  return {
    /** Inserts messages, skipping (event, endpoint) pairs that already exist; returns the ids created. */
    async insertMany(rows: Insertable<WebhookMessagesTable>[]): Promise<MessageId[]> {
      if (rows.length === 0) return [];
      const out = await db
        .insertInto('webhook_messages')
        .values(rows)
        .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing())
        .returning('id')
        .execute();
      return out.map((r) => r.id);
    },

    async list(
      endpointId: EndpointId,
      filters: { status?: MessageStatus | undefined; eventType?: string | undefined },
      page: Page,
    ): Promise<MessageSummary[]> {
      let query = withinScope(
        db.selectFrom('webhook_messages').select(MESSAGE_SUMMARY),
        scope,
        'webhook_messages.customer_id',
      ).where('webhook_messages.endpoint_id', '=', endpointId);
      if (filters.status) query = query.where('webhook_messages.status', '=', filters.status);
      if (filters.eventType) query = query.where('webhook_messages.event_type', '=', filters.eventType);
      return pageQuery(query, NEWEST_MESSAGES, page).execute();
    },

    async find(endpointId: EndpointId, id: MessageId): Promise<Message | undefined> {
      return withinScope(db.selectFrom('webhook_messages').selectAll(), scope, 'webhook_messages.customer_id')
        .where('webhook_messages.endpoint_id', '=', endpointId)
        .where('webhook_messages.id', '=', id)
        .executeTakeFirst();
    },

    async attemptsOf(messageId: MessageId): Promise<Attempt[]> {
      return withinScope(db.selectFrom('webhook_attempts').selectAll(), scope, 'webhook_attempts.customer_id')
        .where('webhook_attempts.message_id', '=', messageId)
        .orderBy('webhook_attempts.attempt')
        .orderBy('webhook_attempts.id')
        .execute();
    },

    /** Failed messages of an endpoint created at or after `since` (recovery), oldest first. */
    async failedSince(
      endpointId: EndpointId,
      since: string,
      limit: number,
    ): Promise<Pick<Message, 'id' | 'attempts'>[]> {
      return withinScope(
        db.selectFrom('webhook_messages').select(['webhook_messages.id', 'webhook_messages.attempts']),
        scope,
        'webhook_messages.customer_id',
      )
        .where('webhook_messages.endpoint_id', '=', endpointId)
        .where('webhook_messages.status', '=', 'failed')
        .where('webhook_messages.created_at', '>=', since)
        .orderBy('webhook_messages.created_at')
        .limit(limit)
        .execute();
    },

    /** Puts messages back to pending (manual retry, recovery). */
    async markPending(ids: readonly MessageId[], now: string): Promise<void> {
      if (ids.length === 0) return;
      await updateWithinScope(
        db.updateTable('webhook_messages').set({ status: 'pending', next_attempt_at: now, updated_at: now }),
        scope,
        'webhook_messages.customer_id',
      )
        .where('id', 'in', ids)
        .execute();
    },

    /** Durations and outcomes of an endpoint's attempts since `since` (stats). */
    async attemptSample(
      endpointId: EndpointId,
      since: string,
    ): Promise<{ outcome: string; duration_ms: number; created_at: string }[]> {
      const rows = await withinScope(
        db
          .selectFrom('webhook_attempts')
          .select(['webhook_attempts.outcome', 'webhook_attempts.duration_ms', 'webhook_attempts.created_at']),
        scope,
        'webhook_attempts.customer_id',
      )
        .where('webhook_attempts.endpoint_id', '=', endpointId)
        .where('webhook_attempts.created_at', '>=', since)
        .limit(200_000)
        .execute();
      return rows.map((r) => ({ outcome: r.outcome, duration_ms: Number(r.duration_ms), created_at: r.created_at }));
    },
  };
}

/**
 * The worker's queries: rows addressed by id, across tenants, because jobs carry message ids and
 * the message names its tenant. Never used for a request of a tenant.
 */
export function webhookSystemRepository(db: Executor) {
  return {
    /** Messages with their endpoints, for the delivery jobs started together (see batchLoader). */
    async forDeliveries(messageIds: MessageId[]): Promise<Map<MessageId, DeliveryRow>> {
      const rows = await db
        .selectFrom('webhook_messages')
        .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_messages.endpoint_id')
        .select([
          'webhook_messages.id as m_id',
          'webhook_messages.endpoint_id as m_endpoint_id',
          'webhook_messages.customer_id as m_customer_id',
          'webhook_messages.event_id as m_event_id',
          'webhook_messages.event_type as m_event_type',
          'webhook_messages.body as m_body',
          'webhook_messages.status as m_status',
          'webhook_messages.attempts as m_attempts',
          'webhook_endpoints.url',
          'webhook_endpoints.status',
          'webhook_endpoints.secrets',
          'webhook_endpoints.custom_headers',
          'webhook_endpoints.rate_limit_per_second',
          'webhook_endpoints.retry_schedule',
          'webhook_endpoints.consecutive_failures',
          'webhook_endpoints.circuit_open_until',
          'webhook_endpoints.rate_tat',
        ])
        .where('webhook_messages.id', 'in', messageIds)
        .execute();
      return new Map(
        rows.map((row) => [
          row.m_id,
          {
            message: {
              id: row.m_id,
              endpoint_id: row.m_endpoint_id,
              customer_id: row.m_customer_id,
              event_id: row.m_event_id,
              event_type: row.m_event_type,
              body: row.m_body,
              status: row.m_status,
              attempts: Number(row.m_attempts),
            },
            endpoint: {
              id: row.m_endpoint_id,
              url: row.url,
              status: row.status,
              secrets: row.secrets,
              custom_headers: row.custom_headers,
              rate_limit_per_second: row.rate_limit_per_second,
              retry_schedule: row.retry_schedule,
              consecutive_failures: Number(row.consecutive_failures),
              circuit_open_until: row.circuit_open_until,
              rate_tat: row.rate_tat,
            },
          },
        ]),
      );
    },

    async insertAttempts(rows: Insertable<WebhookAttemptsTable>[]): Promise<void> {
      for (let i = 0; i < rows.length; i += ATTEMPT_INSERT_CHUNK)
        await db
          .insertInto('webhook_attempts')
          .values(rows.slice(i, i + ATTEMPT_INSERT_CHUNK))
          .execute();
    },

    /** Overwrites attempts logged as started (outcome `unknown`) with their results, same ids. */
    async finishAttempts(rows: Insertable<WebhookAttemptsTable>[]): Promise<void> {
      for (let i = 0; i < rows.length; i += ATTEMPT_INSERT_CHUNK)
        await db
          .insertInto('webhook_attempts')
          .values(rows.slice(i, i + ATTEMPT_INSERT_CHUNK))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              request_headers: eb.ref('excluded.request_headers'),
              response_status: eb.ref('excluded.response_status'),
              response_headers: eb.ref('excluded.response_headers'),
              response_body: eb.ref('excluded.response_body'),
              response_truncated: eb.ref('excluded.response_truncated'),
              duration_ms: eb.ref('excluded.duration_ms'),
              error_class: eb.ref('excluded.error_class'),
              error_message: eb.ref('excluded.error_message'),
              outcome: eb.ref('excluded.outcome'),
              next_retry_at: eb.ref('excluded.next_retry_at'),
            })),
          )
          .execute();
    },

    /** Records the result of attempt `attempt` on messages still at `attempt - 1` attempts. */
    async applyAttempt(
      ids: readonly MessageId[],
      attempt: number,
      patch: {
        status: MessageStatus;
        at: string;
        responseStatus: number | null;
        errorClass: string | null;
        nextAttemptAt: string | null;
      },
    ): Promise<void> {
      await db
        .updateTable('webhook_messages')
        .set({
          status: patch.status,
          attempts: attempt,
          last_attempt_at: patch.at,
          last_response_status: patch.responseStatus,
          last_error_class: patch.errorClass,
          next_attempt_at: patch.nextAttemptAt,
          updated_at: patch.at,
          ...(patch.status === 'delivered' ? { delivered_at: patch.at } : {}),
        })
        .where('id', 'in', ids)
        .where('attempts', '=', attempt - 1)
        .execute();
    },

    /** Gives up on a message without an attempt (its endpoint is disabled). */
    async abandon(id: MessageId, reason: string, now: string): Promise<void> {
      await db
        .updateTable('webhook_messages')
        .set({ status: 'failed', last_error_class: reason, next_attempt_at: null, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute();
    },

    /** Retention: deletes attempts, and finished messages, created before `before`. */
    async purgeBefore(before: string, limit: number): Promise<number> {
      const attempts = await db
        .deleteFrom('webhook_attempts')
        .where('id', 'in', (eb) =>
          eb.selectFrom('webhook_attempts').select('id').where('created_at', '<', before).limit(limit),
        )
        .executeTakeFirst();
      const messages = await db
        .deleteFrom('webhook_messages')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('webhook_messages')
            .select('id')
            .where('created_at', '<', before)
            .where('status', '!=', 'pending')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(attempts.numDeletedRows) + Number(messages.numDeletedRows);
    },
    /** Takes the half-open probe: succeeds for one caller while the breaker's hold has passed. */
    async claimProbe(id: EndpointId, now: string, holdUntil: string): Promise<boolean> {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ circuit_open_until: holdUntil })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('circuit_open_until', 'is', null), eb('circuit_open_until', '<=', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Compare-and-set of the rate limiter's state; false when another worker moved it first. */
    async advanceRate(id: EndpointId, expected: string | null, next: string): Promise<boolean> {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ rate_tat: next })
        .where('id', '=', id)
        .where((eb) => (expected === null ? eb('rate_tat', 'is', null) : eb('rate_tat', '=', expected)))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async rateState(id: EndpointId): Promise<string | null> {
      const row = await db.selectFrom('webhook_endpoints').select('rate_tat').where('id', '=', id).executeTakeFirst();
      return row?.rate_tat ?? null;
    },

    /**
     * Applies one batch's results to its endpoints' counters and breaker input in ONE statement;
     * returns each endpoint's new breaker/failing state so the caller can trip the breaker or
     * disable it. On PostgreSQL the rows are locked in id order first: two workers' batches that
     * share endpoints then wait for each other instead of deadlocking.
     */
    async applyResults(results: readonly EndpointResults[]): Promise<Map<string, EndpointState>> {
      if (results.length === 0) return new Map();
      const sorted = [...results].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      if (adapterOf(db).name === 'postgres')
        await db
          .selectFrom('webhook_endpoints')
          .select('id')
          .where(
            'id',
            'in',
            sorted.map((r) => r.id as EndpointId),
          )
          .orderBy('id')
          .forUpdate()
          .execute();
      const values = sql.join(
        sorted.map(
          (r) =>
            sql`(${r.id}, ${r.successes}, ${r.failures}, ${r.trailingFailures}, ${r.firstTrailingFailureAt}, ${r.lastAt})`,
        ),
      );
      // A batch with a success restarts the failure run from its trailing failures; one without
      // extends the run. The CTE's columns arrive untyped (text on PostgreSQL), hence the casts.
      const { rows } = await sql<EndpointState & { id: string }>`
        with batch (endpoint_id, successes, failures, trailing_failures, first_trailing_at, last_at) as (values ${values})
        update webhook_endpoints set
          delivery_success_count = webhook_endpoints.delivery_success_count + cast(batch.successes as integer),
          delivery_failure_count = webhook_endpoints.delivery_failure_count + cast(batch.failures as integer),
          last_delivery_at = batch.last_at,
          consecutive_failures = case when cast(batch.successes as integer) > 0
            then cast(batch.trailing_failures as integer)
            else webhook_endpoints.consecutive_failures + cast(batch.failures as integer) end,
          failing_since = case when cast(batch.successes as integer) > 0
            then batch.first_trailing_at
            else coalesce(webhook_endpoints.failing_since, batch.first_trailing_at) end,
          circuit_open_until = case when cast(batch.successes as integer) > 0 and cast(batch.trailing_failures as integer) = 0
            then null
            else webhook_endpoints.circuit_open_until end
        from batch
        where webhook_endpoints.id = batch.endpoint_id
        returning id, consecutive_failures, failing_since, status, customer_id, url`.execute(db);
      return new Map(rows.map(({ id, ...state }) => [id, state]));
    },

    async openCircuit(id: EndpointId, until: string): Promise<void> {
      await db.updateTable('webhook_endpoints').set({ circuit_open_until: until }).where('id', '=', id).execute();
    },

    /** Disables an enabled endpoint; false when it was not enabled any more. */
    async disable(
      id: EndpointId,
      status: 'disabled_failing' | 'disabled_gone',
      reason: string,
      now: string,
    ): Promise<boolean> {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ status, disabled_at: now, disabled_reason: reason, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'enabled')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

/** Whether a tenant exists (publishing an event for it). */
export async function customerExists(db: Executor, customerId: string): Promise<boolean> {
  return (await db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst()) !== undefined;
}

export type EndpointRepository = ReturnType<typeof endpointRepository>;
export type MessageRepository = ReturnType<typeof messageRepository>;
/** Builds a tenant-bound repository over the handle or a transaction. */
export type EndpointRepositoryFactory = (db: Executor, scope: TenantScope) => EndpointRepository;
export type MessageRepositoryFactory = (db: Executor, scope: TenantScope) => MessageRepository;
