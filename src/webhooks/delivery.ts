/**
 * The `webhooks.deliver` job: one attempt of one message. Loads the message with its endpoint,
 * applies flow control (per-endpoint in-flight cap, circuit breaker, optional rate limit — all of
 * which defer the job without consuming an attempt), signs the stored bytes with every valid
 * secret, sends through the SSRF-guarded transport, decides what follows with the pure retry
 * schedule and hands the result to the batching recorder. The attempt is logged before its request
 * goes on the wire, so every request sent is in the log even when its worker dies mid-send. The
 * job completes only after its result is committed; a crash before that re-sends (at least once,
 * same `webhook-id`).
 */
import type { Kysely } from 'kysely';
import { batchLoader } from '../database/batch-loader.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { Database } from '../database/schema.ts';
import type { NewJob } from '../jobs/enqueue.ts';
import { PermanentFailure, RetryLater } from '../jobs/types.ts';
import type { JobHandler, JobLogger } from '../jobs/types.ts';
import { breakerDecision, DEFAULT_MAX_IN_FLIGHT, EndpointGate, inFlightLimit, rateDecision } from './flow-control.ts';
import { newAttemptId } from './ids.ts';
import type { MessageId } from './ids.ts';
import type { WebhookNetworkPolicy } from './policy.ts';
import { DeliveryRecorder } from './recorder.ts';
import { webhookSystemRepository } from './repository.ts';
import type { DeliveryRow } from './repository.ts';
import { nextAttemptDelay } from './retry-schedule.ts';
import { MASKED_VALUE, openHeaders, validSecrets } from './secrets.ts';
import { deliveryHeaders } from './signature.ts';
import type { AttemptOutcomeKind, MessageStatus } from './tables.ts';
import { WebhookTransport } from './transport.ts';
import type { AttemptResult } from './transport.ts';

/** The job name of one delivery attempt. */
export const DELIVER_JOB = 'webhooks.deliver';

/** What started an attempt: the schedule, a tenant's manual retry, or a recovery. */
export type AttemptTrigger = 'scheduled' | 'manual' | 'recover';

/** Payload of `webhooks.deliver`: the message and the attempt number this job makes. */
export interface DeliverPayload {
  messageId: MessageId;
  attempt: number;
  trigger?: AttemptTrigger;
}

/** The job that makes attempt `attempt` of a message (unique per message × attempt). */
export function deliveryJob(
  messageId: MessageId,
  attempt: number,
  trigger: AttemptTrigger = 'scheduled',
  runAt?: Date,
): NewJob {
  const payload: DeliverPayload = trigger === 'scheduled' ? { messageId, attempt } : { messageId, attempt, trigger };
  return {
    name: DELIVER_JOB,
    payload,
    maxAttempts: 25,
    uniqueKey: `whmsg:${messageId}:${attempt}`,
    ...(runAt ? { runAt } : {}),
  };
}

/** Everything the delivery engine depends on. */
export interface DeliveryOptions {
  db: Kysely<Database>;
  clock: () => Date;
  keyRing: KeyRing;
  policy: WebhookNetworkPolicy;
  attemptTimeoutMs: number;
  connectTimeoutMs: number;
  disableAfterFailingDays: number;
  logger: JobLogger;
  /** Injected for tests; defaults to a new pinned-pool transport. */
  transport?: WebhookTransport;
  random?: () => number;
  /** In-flight attempts per healthy endpoint in this process (default 8). */
  maxInFlightPerEndpoint?: number;
  onEnqueued?: () => void;
}

/** The assembled engine: its job handler plus what tests and shutdown need. */
export interface DeliveryEngine {
  handlers: Record<typeof DELIVER_JOB, JobHandler>;
  gate: EndpointGate;
  transport: WebhookTransport;
  close(): Promise<void>;
}

function isPayload(value: unknown): value is DeliverPayload {
  const p = value as Partial<DeliverPayload> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.messageId === 'string' &&
    Number.isInteger(p.attempt) &&
    (p.attempt ?? 0) >= 1
  );
}

/** Request headers as logged: signatures kept (not secret), custom header values redacted. */
export function loggedHeaders(headers: Record<string, string>, custom: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const name of Object.keys(custom)) {
    const lower = name.toLowerCase();
    if (lower in out && !lower.startsWith('webhook-') && !lower.startsWith('x-securebase-')) out[lower] = MASKED_VALUE;
  }
  return out;
}

/**
 * Signs and sends one body to an endpoint; shared by deliveries and the synchronous test route.
 * `beforeSend` runs with the signed headers before the request goes on the wire.
 */
export async function signAndSend(
  transport: WebhookTransport,
  input: {
    url: string;
    eventId: string;
    eventType: string;
    attemptId: string;
    body: string;
    secrets: string[];
    customHeaders: Record<string, string>;
    now: Date;
    policy: WebhookNetworkPolicy;
    timeoutMs: number;
    connectTimeoutMs: number;
  },
  beforeSend?: (headers: Record<string, string>) => Promise<void>,
): Promise<{ headers: Record<string, string>; result: AttemptResult }> {
  const headers = deliveryHeaders({
    eventId: input.eventId,
    eventType: input.eventType,
    attemptId: input.attemptId,
    timestampSeconds: Math.floor(input.now.getTime() / 1000),
    body: input.body,
    secrets: input.secrets,
    customHeaders: input.customHeaders,
  });
  await beforeSend?.(headers);
  const result = await transport.send({
    url: input.url,
    bodyBytes: Buffer.from(input.body, 'utf8'),
    headers,
    policy: input.policy,
    timeoutMs: input.timeoutMs,
    connectTimeoutMs: input.connectTimeoutMs,
  });
  return { headers, result };
}

/** Builds the delivery engine (see the module comment). */
export function createDeliveryEngine(options: DeliveryOptions): DeliveryEngine {
  const transport = options.transport ?? new WebhookTransport();
  const random = options.random ?? Math.random;
  const gate = new EndpointGate();
  const cap = options.maxInFlightPerEndpoint ?? DEFAULT_MAX_IN_FLIGHT;
  const recorder = new DeliveryRecorder({
    db: options.db,
    clock: options.clock,
    disableAfterFailingDays: options.disableAfterFailingDays,
    logger: options.logger,
    ...(options.onEnqueued ? { onEnqueued: options.onEnqueued } : {}),
  });
  const loadDelivery = batchLoader((ids) => webhookSystemRepository(options.db).forDeliveries(ids as MessageId[]));
  const defer = (ms: number, why: string) =>
    new RetryLater(Math.max(1, Math.round(ms)), why, { consumeAttempt: false });

  /** Takes a slot of the endpoint's rate limit (compare-and-set shared by all workers) or defers. */
  async function takeRateSlot(db: Kysely<Database>, row: DeliveryRow, perSecond: number): Promise<void> {
    const endpoints = webhookSystemRepository(db);
    let tat = row.endpoint.rate_tat;
    for (let tries = 0; tries < 5; tries += 1) {
      const decision = rateDecision({ nowMs: options.clock().getTime(), tat, perSecond });
      if (!decision.ok) throw defer(decision.waitMs + random() * 20, 'endpoint rate limit');
      if (await endpoints.advanceRate(row.endpoint.id, tat, decision.tat)) return;
      tat = await endpoints.rateState(row.endpoint.id);
    }
    throw defer(20 + random() * 50, 'endpoint rate limit contended');
  }

  const deliver: JobHandler = async (job, ctx) => {
    if (!isPayload(job.payload)) throw new PermanentFailure('webhooks.deliver payload needs messageId and attempt');
    const { messageId, attempt } = job.payload;
    const trigger = job.payload.trigger ?? 'scheduled';
    const row = await loadDelivery(messageId);
    // Deleted, already done, or this attempt was already recorded (a re-run after a crash).
    if (!row || row.message.status !== 'pending' || row.message.attempts !== attempt - 1) return;
    const { endpoint, message } = row;
    const start = options.clock();
    if (endpoint.status !== 'enabled') {
      await webhookSystemRepository(ctx.db).abandon(messageId, 'endpoint_disabled', start.toISOString());
      return;
    }
    if (!gate.tryAcquire(endpoint.id, inFlightLimit(endpoint.consecutive_failures, cap))) {
      // A failing endpoint frees slots slowly (its attempts run into timeouts): wait up to a second
      // instead of re-claiming the job every few milliseconds at the healthy endpoints' expense.
      const wait =
        endpoint.consecutive_failures > 0
          ? Math.min(options.attemptTimeoutMs, 1_000) * (0.5 + random())
          : 50 + random() * 150;
      throw defer(wait, 'endpoint at its in-flight cap');
    }
    try {
      const breaker = breakerDecision({
        nowMs: start.getTime(),
        consecutiveFailures: endpoint.consecutive_failures,
        openUntil: endpoint.circuit_open_until,
      });
      // Held jobs wake spread over a second after the hold, so the probe is not followed by a herd.
      if (breaker.kind === 'hold') throw defer(breaker.untilMs - start.getTime() + random() * 1000, 'circuit open');
      if (breaker.kind === 'probe') {
        const holdUntil = new Date(start.getTime() + options.attemptTimeoutMs + 5_000).toISOString();
        if (!(await webhookSystemRepository(ctx.db).claimProbe(endpoint.id, start.toISOString(), holdUntil)))
          throw defer(options.attemptTimeoutMs + random() * 1000, 'circuit half-open, probe in flight');
      }
      if (endpoint.rate_limit_per_second) await takeRateSlot(ctx.db, row, endpoint.rate_limit_per_second);

      const attemptId = newAttemptId();
      const customHeaders = openHeaders(options.keyRing, endpoint.id, endpoint.custom_headers);
      const now = options.clock();
      const logged = {
        id: attemptId,
        message_id: messageId,
        endpoint_id: endpoint.id,
        customer_id: message.customer_id,
        attempt,
        trigger,
        created_at: now.toISOString(),
      };
      const started = (sent: Record<string, string>) =>
        recorder.started({ ...logged, request_headers: JSON.stringify(loggedHeaders(sent, customHeaders)) });
      const { headers, result } = await signAndSend(
        transport,
        {
          url: endpoint.url,
          eventId: message.event_id,
          eventType: message.event_type,
          attemptId,
          body: message.body,
          secrets: validSecrets(options.keyRing, endpoint.id, endpoint.secrets, now),
          customHeaders,
          now,
          policy: options.policy,
          timeoutMs: options.attemptTimeoutMs,
          connectTimeoutMs: options.connectTimeoutMs,
        },
        started,
      );
      const finished = options.clock();
      const schedule = endpoint.retry_schedule ? (JSON.parse(endpoint.retry_schedule) as number[]) : undefined;
      const decision = nextAttemptDelay({
        attempt,
        ...(schedule ? { schedule } : {}),
        outcome: {
          errorClass: result.errorClass ?? null,
          status: result.status ?? null,
          retryAfterHeader: result.responseHeaders?.['retry-after'] ?? null,
        },
        random,
        now: finished,
      });
      let outcome: AttemptOutcomeKind;
      let status: MessageStatus;
      let retryJob: NewJob | null = null;
      if (decision.verdict === 'delivered') [outcome, status] = ['delivered', 'delivered'];
      else if (decision.verdict === 'gone') [outcome, status] = ['gone', 'failed'];
      else if (decision.verdict === 'blocked') [outcome, status] = ['blocked', 'failed'];
      else if (decision.verdict === 'retry' && trigger === 'scheduled') {
        [outcome, status] = ['retry', 'pending'];
        retryJob = deliveryJob(messageId, attempt + 1, 'scheduled', decision.retryAt);
      } else [outcome, status] = ['failed', 'failed'];
      await recorder.record({
        attempt: {
          ...logged,
          request_headers: JSON.stringify(loggedHeaders(headers, customHeaders)),
          response_status: result.status ?? null,
          response_headers: result.responseHeaders ? JSON.stringify(result.responseHeaders) : null,
          response_body: result.responseBody.length > 0 ? result.responseBody : null,
          response_truncated: result.responseTruncated ? 1 : 0,
          duration_ms: Math.round(result.durationMs),
          error_class: result.errorClass ?? null,
          error_message: result.errorMessage ?? null,
          outcome,
          next_retry_at: retryJob ? (decision.retryAt?.toISOString() ?? null) : null,
        },
        messageStatus: status,
        retryJob,
        success: outcome === 'delivered',
        gone: outcome === 'gone',
      });
    } finally {
      gate.release(endpoint.id);
    }
  };

  return {
    handlers: { [DELIVER_JOB]: deliver },
    gate,
    transport,
    close: () => transport.close(),
  };
}
