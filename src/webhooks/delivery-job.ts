/** The `webhooks.deliver` job: its name, payload and how one is made. */
import type { NewJob } from '../jobs/enqueue.ts';
import type { MessageId } from './ids.ts';

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

/** Whether a job's payload is a `DeliverPayload`. */
export function isDeliverPayload(value: unknown): value is DeliverPayload {
  const p = value as Partial<DeliverPayload> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.messageId === 'string' &&
    Number.isInteger(p.attempt) &&
    (p.attempt ?? 0) >= 1
  );
}
