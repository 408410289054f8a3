/**
 * The outbox processor that turns each event into one message per subscribed, enabled endpoint
 * of its tenant (endpoints registered after the event do not get it), with the body bytes fixed now, plus the first delivery job of each message. It
 * runs inside the dispatcher's transaction, so the messages and jobs commit exactly once per
 * event; the (event, endpoint) unique key makes a replay harmless anyway.
 */
import type { EventProcessor } from '../events/processors.ts';
import { enqueueJobs } from '../jobs/enqueue.ts';
import type { NewJob } from '../jobs/enqueue.ts';
import type { Insertable } from 'kysely';
import { deliveryJob } from './delivery-job.ts';
import { newMessageId } from './ids.ts';
import { isDeliverable, messageBody } from './payload.ts';
import { endpointRepository, messageRepository } from './repository.ts';
import type { WebhookMessagesTable } from './tables.ts';

function withoutUniqueKey(job: NewJob): NewJob {
  const { uniqueKey: _unique, ...rest } = job;
  return rest;
}

/** True when an endpoint's event filter (JSON list, or `*`) covers the type. */
export function subscribes(eventsColumn: string, type: string): boolean {
  const events = JSON.parse(eventsColumn) as string[];
  return events.includes('*') || events.includes(type);
}

/** The fan-out processor; `clock` stamps the rows. */
export function webhookFanOut(clock: () => Date): EventProcessor {
  return {
    name: 'webhooks.fan-out',
    handles: (type) => !type.startsWith('internal.'),
    async process(trx, event) {
      if (!isDeliverable(event) || !event.customerId) return;
      const scope = { kind: 'tenant', customerId: event.customerId } as const;
      const targets = (await endpointRepository(trx, scope).enabledOf(event.createdAt)).filter((e) =>
        subscribes(e.events, event.type),
      );
      if (targets.length === 0) return;
      const now = clock();
      const iso = now.toISOString();
      const body = messageBody(event);
      const rows: Insertable<WebhookMessagesTable>[] = targets.map((endpoint) => ({
        id: newMessageId(now),
        endpoint_id: endpoint.id,
        customer_id: event.customerId as string,
        event_id: event.id,
        event_type: event.type,
        body,
        status: 'pending',
        attempts: 0,
        next_attempt_at: iso,
        created_at: iso,
        updated_at: iso,
      }));
      const created = await messageRepository(trx, scope).insertMany(rows);
      // No unique key on first attempts: the dispatcher already runs this exactly once per event.
      await enqueueJobs(
        trx,
        created.map((id) => withoutUniqueKey(deliveryJob(id, 1))),
        now,
      );
    },
  };
}
