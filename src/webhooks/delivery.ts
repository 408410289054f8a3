/**
 * The delivery engine behind the `webhooks.deliver` job: one attempt of one message. Loads the
 * message with its endpoint, applies flow control (per-endpoint in-flight cap, circuit breaker,
 * optional rate limit — all of which defer the job without consuming an attempt), signs the stored
 * bytes with every valid secret, sends through the SSRF-guarded transport, decides what follows
 * with the pure retry schedule and hands the result to the batching recorder. The attempt is logged
 * before its request goes on the wire, so every request sent is in the log even when its worker
 * dies mid-send. The job completes only after its result is committed; a crash before that
 * re-sends (at least once, same `webhook-id`). The steps live in `use-cases/`; this assembles them.
 */
import type { Kysely } from 'kysely';
import { batchLoader } from '../database/batch-loader.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { Database } from '../database/schema.ts';
import type { JobHandler, JobLogger } from '../jobs/types.ts';
import { DELIVER_JOB } from './delivery-job.ts';
import { DEFAULT_MAX_IN_FLIGHT, EndpointGate } from './flow-control.ts';
import type { MessageId } from './ids.ts';
import type { WebhookNetworkPolicy } from './policy.ts';
import { DeliveryRecorder } from './recorder.ts';
import { webhookSystemRepository } from './repository.ts';
import { WebhookTransport } from './transport.ts';
import { deliverMessage } from './use-cases/deliver-message.ts';

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

/** Builds the delivery engine (see the module comment). */
export function createDeliveryEngine(options: DeliveryOptions): DeliveryEngine {
  const transport = options.transport ?? new WebhookTransport();
  const gate = new EndpointGate();
  const recorder = new DeliveryRecorder({
    db: options.db,
    clock: options.clock,
    disableAfterFailingDays: options.disableAfterFailingDays,
    logger: options.logger,
    ...(options.onEnqueued ? { onEnqueued: options.onEnqueued } : {}),
  });
  const deliver = deliverMessage({
    db: options.db,
    system: webhookSystemRepository,
    loadDelivery: batchLoader((ids) => webhookSystemRepository(options.db).forDeliveries(ids as MessageId[])),
    recorder,
    transport,
    gate,
    maxInFlightPerEndpoint: options.maxInFlightPerEndpoint ?? DEFAULT_MAX_IN_FLIGHT,
    clock: options.clock,
    random: options.random ?? Math.random,
    keyRing: options.keyRing,
    policy: options.policy,
    attemptTimeoutMs: options.attemptTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
  });

  return {
    handlers: { [DELIVER_JOB]: deliver },
    gate,
    transport,
    close: () => transport.close(),
  };
}
