import type { NewJob } from '../../jobs/enqueue.ts';
import { deliveryJob } from '../delivery-job.ts';
import type { AttemptTrigger } from '../delivery-job.ts';
import type { AttemptId, EndpointId, MessageId } from '../ids.ts';
import type { AttemptRecord } from '../recorder.ts';
import { nextAttemptDelay } from '../retry-schedule.ts';
import { loggedHeaders } from '../sign-and-send.ts';
import type { AttemptOutcomeKind, MessageStatus } from '../tables.ts';
import type { AttemptResult } from '../transport.ts';
import type { DeliveryUseCaseDeps } from './delivery-deps.ts';

/** An attempt as logged before its request went on the wire. */
export interface StartedAttempt {
  id: AttemptId;
  message_id: MessageId;
  endpoint_id: EndpointId;
  customer_id: string;
  attempt: number;
  trigger: AttemptTrigger;
  created_at: string;
}

/**
 * Decides what follows a sent attempt with the pure retry schedule (delivered, retry at a time,
 * or given up) and hands the result, with the job's completion, to the batching recorder;
 * resolves once both are committed.
 */
export function recordOutcome(deps: DeliveryUseCaseDeps) {
  return async function record(input: {
    logged: StartedAttempt;
    retrySchedule: string | null;
    headers: Record<string, string>;
    customHeaders: Record<string, string>;
    result: AttemptResult;
    /** Completes the attempt's job with its result (the job context's completeWithin). */
    complete: AttemptRecord['complete'];
  }): Promise<void> {
    const { logged, result } = input;
    const { attempt, trigger } = logged;
    const finished = deps.clock();
    const schedule = input.retrySchedule ? (JSON.parse(input.retrySchedule) as number[]) : undefined;
    const decision = nextAttemptDelay({
      attempt,
      ...(schedule ? { schedule } : {}),
      outcome: {
        errorClass: result.errorClass ?? null,
        status: result.status ?? null,
        retryAfterHeader: result.responseHeaders?.['retry-after'] ?? null,
      },
      random: deps.random,
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
      retryJob = deliveryJob(logged.message_id, attempt + 1, 'scheduled', decision.retryAt);
    } else [outcome, status] = ['failed', 'failed'];
    await deps.recorder.record({
      attempt: {
        ...logged,
        request_headers: JSON.stringify(loggedHeaders(input.headers, input.customHeaders)),
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
      complete: input.complete,
    });
  };
}
