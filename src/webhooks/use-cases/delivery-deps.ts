import type { Kysely } from 'kysely';
import type { KeyRing } from '../../crypto/key-ring.ts';
import type { Database } from '../../database/schema.ts';
import { RetryLater } from '../../jobs/types.ts';
import type { Executor } from '../../jobs/types.ts';
import type { EndpointGate } from '../flow-control.ts';
import type { MessageId } from '../ids.ts';
import type { WebhookNetworkPolicy } from '../policy.ts';
import type { DeliveryRecorder } from '../recorder.ts';
import type { DeliveryRow, webhookSystemRepository } from '../repository.ts';
import type { WebhookTransport } from '../transport.ts';

/** What the delivery use cases are built from; the engine (`delivery.ts`) assembles them. */
export interface DeliveryUseCaseDeps {
  /** Only to hand to the repositories; the use cases run no SQL themselves. */
  db: Kysely<Database>;
  /** The worker's repository, addressing rows by id across tenants. */
  system: (db: Executor) => ReturnType<typeof webhookSystemRepository>;
  /** A message with its endpoint, loaded together with the other jobs started at once. */
  loadDelivery: (messageId: MessageId) => Promise<DeliveryRow | undefined>;
  recorder: DeliveryRecorder;
  transport: WebhookTransport;
  gate: EndpointGate;
  /** In-flight attempts per healthy endpoint in this process. */
  maxInFlightPerEndpoint: number;
  clock: () => Date;
  random: () => number;
  keyRing: KeyRing;
  policy: WebhookNetworkPolicy;
  attemptTimeoutMs: number;
  connectTimeoutMs: number;
}

/** Puts the job back for `ms` without consuming one of its attempts (flow control). */
export const defer = (ms: number, why: string): RetryLater =>
  new RetryLater(Math.max(1, Math.round(ms)), why, { consumeAttempt: false });
