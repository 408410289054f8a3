/**
 * Rows → API views. Neither the signing secret nor a custom header value ever appears in a view:
 * headers are shown by name with masked values, to every role, and redacted in the attempt log.
 */
import type { Static } from 'typebox';
import type { Attempt, Endpoint, Message, MessageSummary } from './repository.ts';
import { maskedHeaders } from './secrets.ts';
import type { AttemptView, DeliveryDetail, DeliveryView, WebhookView } from './schemas.ts';

/** An endpoint as read. */
export function presentWebhook(e: Endpoint, now: Date): Static<typeof WebhookView> {
  return {
    id: e.id,
    customer_id: e.customer_id,
    url: e.url,
    description: e.description,
    events: JSON.parse(e.events) as string[],
    active: e.status === 'enabled',
    status: e.status,
    disabled_reason: e.disabled_reason,
    headers: maskedHeaders(e.custom_headers),
    rate_limit_per_second: e.rate_limit_per_second === null ? null : Number(e.rate_limit_per_second),
    retry_schedule_seconds: e.retry_schedule
      ? (JSON.parse(e.retry_schedule) as number[]).map((ms) => Math.round(ms / 1000))
      : null,
    circuit: e.circuit_open_until && e.circuit_open_until > now.toISOString() ? 'open' : 'closed',
    created_at: e.created_at,
    updated_at: e.updated_at,
    last_delivery_at: e.last_delivery_at,
    delivery_success_count: Number(e.delivery_success_count),
    delivery_failure_count: Number(e.delivery_failure_count),
  };
}

/** A delivery in lists. */
export function presentDelivery(m: MessageSummary): Static<typeof DeliveryView> {
  return {
    id: m.id,
    webhook_id: m.endpoint_id,
    event_id: m.event_id,
    event_type: m.event_type,
    status: m.status,
    attempts: Number(m.attempts),
    next_attempt_at: m.status === 'pending' ? m.next_attempt_at : null,
    last_attempt_at: m.last_attempt_at,
    last_response_status: m.last_response_status === null ? null : Number(m.last_response_status),
    last_error_class: m.last_error_class,
    delivered_at: m.delivered_at,
    created_at: m.created_at,
  };
}

/** One logged attempt. */
export function presentAttempt(a: Attempt): Static<typeof AttemptView> {
  return {
    id: a.id,
    attempt: Number(a.attempt),
    trigger: a.trigger,
    created_at: a.created_at,
    request_headers: JSON.parse(a.request_headers) as Record<string, string>,
    response_status: a.response_status === null ? null : Number(a.response_status),
    response_headers: a.response_headers ? (JSON.parse(a.response_headers) as Record<string, string>) : null,
    response_body: a.response_body,
    response_truncated: Number(a.response_truncated) === 1,
    duration_ms: Number(a.duration_ms),
    error_class: a.error_class,
    error_message: a.error_message,
    outcome: a.outcome,
    next_retry_at: a.next_retry_at,
  };
}

/** A delivery with its exact payload and every attempt. */
export function presentDeliveryDetail(m: Message, attempts: Attempt[]): Static<typeof DeliveryDetail> {
  return { ...presentDelivery(m), payload: JSON.parse(m.body) as unknown, attempt_log: attempts.map(presentAttempt) };
}
