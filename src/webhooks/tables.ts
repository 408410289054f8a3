/**
 * Storage of the webhook feature: endpoints (subscriptions), messages (one per event × endpoint,
 * holding the exact body bytes) and attempts (the delivery log). Timestamps are ISO text, JSON is
 * text and booleans are 0/1 on both dialects.
 */
import type { AttemptId, EndpointId, MessageId } from './ids.ts';

/** Lifecycle of an endpoint; only `enabled` receives deliveries. */
export type EndpointStatus = 'enabled' | 'disabled_by_user' | 'disabled_failing' | 'disabled_gone';

/** Lifecycle of a message: waiting for its next attempt, delivered, or given up (kept for recovery). */
export type MessageStatus = 'pending' | 'delivered' | 'failed';

/**
 * What an attempt led to. `unknown`: the attempt is logged before its request goes on the wire,
 * so it stays `unknown` while in flight, and for good when its worker stopped before recording the
 * result (the request may have reached the receiver; the job's next run sends it again).
 */
export type AttemptOutcomeKind = 'delivered' | 'retry' | 'failed' | 'gone' | 'blocked' | 'unknown';

export interface WebhookEndpointsTable {
  /** `wh_…` */
  id: EndpointId;
  customer_id: string;
  url: string;
  description: string;
  /** JSON array of event types, or `["*"]`. */
  events: string;
  status: EndpointStatus;
  /** JSON object of extra request headers (names validated). */
  custom_headers: string;
  rate_limit_per_second: number | null;
  /** JSON array of delays in ms (the wait before attempt n + 1); null = the default schedule. */
  retry_schedule: string | null;
  /** JSON array of `{sealed, created_at, expires_at}`, newest first; sealed = AES-256-GCM. */
  secrets: string;
  created_at: string;
  updated_at: string;
  last_delivery_at: string | null;
  delivery_success_count: number;
  delivery_failure_count: number;
  /** Failed attempts since the last success (circuit breaker input). */
  consecutive_failures: number;
  /** First failure since the last success: the endpoint is disabled after N days of this. */
  failing_since: string | null;
  /** While in the future the breaker is open: the endpoint's queue is held. */
  circuit_open_until: string | null;
  /** GCRA "theoretical arrival time" of the per-endpoint rate limit. */
  rate_tat: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
}

export interface WebhookMessagesTable {
  /** `msg_…` */
  id: MessageId;
  endpoint_id: EndpointId;
  customer_id: string;
  event_id: string;
  event_type: string;
  /** The exact bytes sent on every attempt (UTF-8 JSON), fixed at fan-out time. */
  body: string;
  status: MessageStatus;
  /** Attempts made so far. */
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_response_status: number | null;
  last_error_class: string | null;
  delivered_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookAttemptsTable {
  /** `atm_…`, sent as `x-securebase-delivery`. */
  id: AttemptId;
  message_id: MessageId;
  endpoint_id: EndpointId;
  customer_id: string;
  /** 1-based attempt number of the message. */
  attempt: number;
  trigger: 'scheduled' | 'manual' | 'recover';
  /** JSON of the request headers, secret-free (custom header values redacted). */
  request_headers: string;
  response_status: number | null;
  /** JSON of the response headers. */
  response_headers: string | null;
  /** First 4 KiB of the response body. */
  response_body: string | null;
  response_truncated: number;
  duration_ms: number;
  error_class: string | null;
  error_message: string | null;
  outcome: AttemptOutcomeKind;
  next_retry_at: string | null;
  created_at: string;
}

/** The webhook tables, merged into the `Database` interface. */
export interface WebhookTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
}
