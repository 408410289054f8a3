import { PermanentFailure } from '../../jobs/types.ts';
import type { JobHandler } from '../../jobs/types.ts';
import { isDeliverPayload } from '../delivery-job.ts';
import { inFlightLimit } from '../flow-control.ts';
import { newAttemptId } from '../ids.ts';
import { openHeaders, validSecrets } from '../secrets.ts';
import { loggedHeaders, signAndSend } from '../sign-and-send.ts';
import { admitAttempt } from './admit-attempt.ts';
import { defer } from './delivery-deps.ts';
import type { DeliveryUseCaseDeps } from './delivery-deps.ts';
import { recordOutcome } from './record-outcome.ts';
import type { StartedAttempt } from './record-outcome.ts';

/**
 * The `webhooks.deliver` handler: one attempt of one message. Skips messages that are gone, done or
 * already past this attempt; abandons those of a disabled endpoint; takes the endpoint's in-flight
 * slot and passes its breaker and rate limit; logs the attempt as started, signs and sends the
 * stored bytes, and completes only once the outcome is recorded.
 */
export function deliverMessage(deps: DeliveryUseCaseDeps): JobHandler {
  const admit = admitAttempt(deps);
  const record = recordOutcome(deps);

  return async (job, ctx) => {
    if (!isDeliverPayload(job.payload))
      throw new PermanentFailure('webhooks.deliver payload needs messageId and attempt');
    const { messageId, attempt } = job.payload;
    const trigger = job.payload.trigger ?? 'scheduled';
    const row = await deps.loadDelivery(messageId);
    // Deleted, already done, or this attempt was already recorded (a re-run after a crash).
    if (!row || row.message.status !== 'pending' || row.message.attempts !== attempt - 1) return;
    const { endpoint, message } = row;
    const start = deps.clock();
    if (endpoint.status !== 'enabled') {
      await deps.system(ctx.db).abandon(messageId, 'endpoint_disabled', start.toISOString());
      return;
    }
    if (!deps.gate.tryAcquire(endpoint.id, inFlightLimit(endpoint.consecutive_failures, deps.maxInFlightPerEndpoint))) {
      // A failing endpoint frees slots slowly (its attempts run into timeouts): wait up to a second
      // instead of re-claiming the job every few milliseconds at the healthy endpoints' expense.
      const wait =
        endpoint.consecutive_failures > 0
          ? Math.min(deps.attemptTimeoutMs, 1_000) * (0.5 + deps.random())
          : 50 + deps.random() * 150;
      throw defer(wait, 'endpoint at its in-flight cap');
    }
    try {
      await admit(ctx.db, row, start);

      const attemptId = newAttemptId();
      const customHeaders = openHeaders(deps.keyRing, endpoint.id, endpoint.custom_headers);
      const now = deps.clock();
      const logged: StartedAttempt = {
        id: attemptId,
        message_id: messageId,
        endpoint_id: endpoint.id,
        customer_id: message.customer_id,
        attempt,
        trigger,
        created_at: now.toISOString(),
      };
      const started = (sent: Record<string, string>) =>
        deps.recorder.started({ ...logged, request_headers: JSON.stringify(loggedHeaders(sent, customHeaders)) });
      const { headers, result } = await signAndSend(
        deps.transport,
        {
          url: endpoint.url,
          eventId: message.event_id,
          eventType: message.event_type,
          attemptId,
          body: message.body,
          secrets: validSecrets(deps.keyRing, endpoint.id, endpoint.secrets, now),
          customHeaders,
          now,
          policy: deps.policy,
          timeoutMs: deps.attemptTimeoutMs,
          connectTimeoutMs: deps.connectTimeoutMs,
        },
        started,
      );
      await record({
        logged,
        retrySchedule: endpoint.retry_schedule,
        headers,
        customHeaders,
        result,
        complete: ctx.completeWithin,
      });
    } finally {
      deps.gate.release(endpoint.id);
    }
  };
}
