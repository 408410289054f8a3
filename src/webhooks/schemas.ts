/**
 * Request and response schemas of the webhook routes (TypeBox: validation, serialisation and the
 * OpenAPI document from one definition).
 */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { Described, NullableNumber, NullableString, NullableTimestamp, Timestamp } from '../http/schema-types.ts';
import { MAX_GRACE_SECONDS } from './secrets.ts';

/** Endpoint statuses. */
export const ENDPOINT_STATUSES = ['enabled', 'disabled_by_user', 'disabled_failing', 'disabled_gone'] as const;
/** Delivery (message) statuses. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'https URL receiving the events (http only when the operator allows it)',
  examples: ['https://example.com/hooks/securebase'],
});
const Events = Type.Array(
  Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'A catalog event type, or `*` for all',
    examples: ['ticket.created'],
  }),
  {
    minItems: 1,
    maxItems: 50,
    description: 'Event types to receive (see `GET /v1/webhooks/event-types`), or `["*"]`',
    examples: [['ticket.created', 'ticket.resolved']],
  },
);
const Headers = Type.Record(Type.String(), Type.String({ maxLength: 1000 }), {
  description:
    'Extra request headers (at most 10; ours cannot be overridden). Values are encrypted at rest and never shown ' +
    'again: views list the names with `[redacted]`; sending `[redacted]` as a value on update keeps the stored one',
  examples: [{ 'x-team': 'billing' }],
});
const RateLimit = Type.Union([Type.Integer({ minimum: 1, maximum: 10_000 }), Type.Null()], {
  description: 'Max deliveries per second to this endpoint (null: unlimited)',
  examples: [50],
});
const Schedule = Type.Array(Type.Integer({ minimum: 0, maximum: 604_800 }), {
  minItems: 1,
  maxItems: 20,
  description:
    'Seconds to wait before each attempt (first is usually 0); default 0, 5, 300, 1800, 7200, 18000, 36000, 36000',
  examples: [[0, 5, 300, 1800]],
});

/** Body of `POST /v1/webhooks`. */
export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Type.String({ maxLength: 500, description: 'Free text', examples: ['Ticket sync'] })),
    active: Type.Optional(Type.Boolean({ description: 'false creates the endpoint disabled', examples: [true] })),
    headers: Type.Optional(Headers),
    rate_limit_per_second: Type.Optional(RateLimit),
    retry_schedule_seconds: Type.Optional(Schedule),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

/** Body of `PATCH`/`PUT /v1/webhooks/{id}`: only the fields to change. */
export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Type.String({ maxLength: 500, description: 'Free text' })),
    active: Type.Optional(
      Type.Boolean({
        description: 'false disables (disabled_by_user); true re-enables, also after disabled_failing/disabled_gone',
      }),
    ),
    headers: Type.Optional(Headers),
    rate_limit_per_second: Type.Optional(RateLimit),
    retry_schedule_seconds: Type.Optional(
      Type.Union([Schedule, Type.Null()], { description: 'null restores the default schedule' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

/** An endpoint as read (never with its secret). */
export const WebhookView = Type.Object({
  id: Type.String({ description: 'Endpoint id', examples: ['wh_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b'] }),
  customer_id: Type.String({ description: 'Tenant' }),
  url: Url,
  description: Type.String({ description: 'Free text' }),
  events: Events,
  active: Type.Boolean({ description: 'status is enabled' }),
  status: Type.Enum(ENDPOINT_STATUSES, { description: 'enabled, disabled_by_user, disabled_failing or disabled_gone' }),
  disabled_reason: NullableString('Why the endpoint was disabled'),
  headers: Headers,
  rate_limit_per_second: RateLimit,
  retry_schedule_seconds: Type.Union([Type.Array(Type.Integer()), Type.Null()], {
    description: 'Custom retry schedule in seconds, or null for the default',
  }),
  circuit: Type.Enum(['closed', 'open'], {
    description: 'open: deliveries are held after consecutive failures, with probes',
  }),
  created_at: Timestamp('Creation time'),
  updated_at: Timestamp('Last change'),
  last_delivery_at: NullableTimestamp('Last attempt'),
  delivery_success_count: Type.Integer({ description: 'Successful attempts' }),
  delivery_failure_count: Type.Integer({ description: 'Failed attempts' }),
});

/** `201` of `POST /v1/webhooks`: the endpoint and its signing secret, shown this once. */
export const CreatedWebhook = Type.Object({
  webhook: Described(WebhookView, 'The new endpoint'),
  secret: Type.String({
    description: 'Signing secret (`whsec_` + base64 of 32 bytes); shown only now',
    examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  }),
});

/** `{id}` of endpoint routes. */
export const WebhookParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'Endpoint id' }),
});
/** `{id}/deliveries/{delivery_id}`. */
export const DeliveryParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'Endpoint id' }),
  delivery_id: Type.String({ minLength: 1, maxLength: 100, description: 'Delivery (message) id' }),
});
/** `?webhook_id=` of the query-string forms of endpoint routes; `webhookId` is the deprecated spelling. */
const WebhookIdParams = {
  webhook_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Endpoint id (required)' })),
  webhookId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'Deprecated alias of `webhook_id`', deprecated: true }),
  ),
};
export const WebhookIdQuery = Type.Object(WebhookIdParams, { additionalProperties: false });

/** List of endpoints. */
export const WebhookPage = PageOf('webhooks', WebhookView);
export const PageOnlyQuery = Type.Object(PageQuery, { additionalProperties: false });

/** Body of `POST /v1/webhooks/{id}/rotate-secret`. */
export const RotateBody = Type.Object(
  {
    grace_period_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_GRACE_SECONDS,
        default: 86_400,
        description: 'How long the previous secrets keep signing (default 24 h, max 7 days)',
        examples: [86_400],
      }),
    ),
  },
  { additionalProperties: false },
);
export const RotatedSecret = Type.Object({
  webhook_id: Type.String({ description: 'Endpoint id' }),
  secret: Type.String({ description: 'The new signing secret; shown only now' }),
  previous_secrets_expire_at: Timestamp('Until then every previous secret signs too'),
});

/** A delivery (one message to one endpoint). */
export const DeliveryView = Type.Object({
  id: Type.String({ description: 'Delivery id (`msg_…`)' }),
  webhook_id: Type.String({ description: 'Endpoint id' }),
  event_id: Type.String({ description: 'Event id, sent as `webhook-id`' }),
  event_type: Type.String({ description: 'Event type' }),
  status: Type.Enum(DELIVERY_STATUSES, { description: 'pending, delivered or failed' }),
  attempts: Type.Integer({ description: 'Attempts made' }),
  next_attempt_at: NullableTimestamp('When the next attempt is due'),
  last_attempt_at: NullableTimestamp('Last attempt'),
  last_response_status: NullableNumber('integer', 'HTTP status of the last attempt'),
  last_error_class: NullableString('timeout, dns, connect, tls, http_status, blocked (or endpoint_disabled)'),
  delivered_at: NullableTimestamp('Success time'),
  created_at: Timestamp('Fan-out time'),
});
export const DeliveryPage = PageOf('deliveries', DeliveryView);
export const DeliveryListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(Type.Enum(DELIVERY_STATUSES, { description: 'Only deliveries in this status' })),
    event_type: Type.Optional(Type.String({ maxLength: 100, description: 'Only this event type' })),
  },
  { additionalProperties: false },
);
export const AliasDeliveryListQuery = Type.Object(
  { ...DeliveryListQuery.properties, ...WebhookIdParams },
  { additionalProperties: false },
);

/** One logged attempt. */
export const AttemptView = Type.Object({
  id: Type.String({ description: 'Attempt id, sent as `x-securebase-delivery`' }),
  attempt: Type.Integer({ description: '1-based attempt number' }),
  trigger: Type.Enum(['scheduled', 'manual', 'recover'], { description: 'What started the attempt' }),
  created_at: Timestamp('Start of the attempt'),
  request_headers: Type.Record(Type.String(), Type.String(), {
    description: 'Request headers (custom header values redacted)',
  }),
  response_status: NullableNumber('integer', 'HTTP status'),
  response_headers: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()], {
    description: 'Response headers',
  }),
  response_body: NullableString('First 4 KiB of the response body'),
  response_truncated: Type.Boolean({ description: 'The body was longer than what was kept' }),
  duration_ms: Type.Integer({ description: 'Duration' }),
  error_class: NullableString('timeout, dns, connect, tls, http_status or blocked'),
  error_message: NullableString('What went wrong'),
  outcome: Type.Enum(['delivered', 'retry', 'failed', 'gone', 'blocked', 'unknown'], {
    description:
      'What the attempt led to; unknown: in flight, or its worker stopped before recording the result ' +
      '(the request may have reached the receiver, and is sent again with the same webhook-id)',
  }),
  next_retry_at: NullableTimestamp('When the next attempt was scheduled'),
});
/** A delivery with its payload and every attempt. */
export const DeliveryDetail = Type.Object({
  ...DeliveryView.properties,
  payload: Type.Unknown({ description: 'The exact JSON body sent' }),
  attempt_log: Type.Array(AttemptView, { description: 'Every attempt, oldest first' }),
});

/** Body of `POST /v1/webhooks/{id}/recover`. */
export const RecoverBody = Type.Object(
  { since: Timestamp('Re-send failed deliveries created at or after this time') },
  { additionalProperties: false },
);
export const RecoverResult = Type.Object({
  recovered: Type.Integer({ description: 'Deliveries queued again (at most 10,000 per call)' }),
});

/** Result of the synchronous test delivery. */
export const TestResult = Type.Object({
  success: Type.Boolean({ description: 'The receiver answered 2xx' }),
  status_code: NullableNumber('integer', 'HTTP status'),
  response: Type.String({ description: 'First 4 KiB of the response body' }),
  duration_ms: Type.Integer({ description: 'Duration' }),
  error_class: NullableString('Why it failed'),
  error_message: NullableString('Details'),
});

const Window = Type.Object({
  attempts: Type.Integer({ description: 'Attempts in the window, every request that went on the wire' }),
  delivered: Type.Integer({ description: 'Successful attempts' }),
  failed: Type.Integer({ description: 'Failed attempts' }),
  unknown: Type.Integer({ description: 'Attempts without a recorded result (in flight, or their worker stopped)' }),
  success_rate: NullableNumber('number', 'delivered / attempts (null without attempts)'),
  latency_ms: Type.Object(
    {
      p50: NullableNumber('integer', 'median'),
      p95: NullableNumber('integer', '95th percentile'),
      p99: NullableNumber('integer', '99th percentile'),
    },
    { description: 'Duration percentiles of the attempts with a result' },
  ),
});
/** `GET /v1/webhooks/{id}/stats`. */
export const StatsView = Type.Object({
  webhook_id: Type.String({ description: 'Endpoint id' }),
  last_24h: Described(Window, 'The last 24 hours'),
  last_7d: Described(Window, 'The last 7 days'),
});

/** One catalog entry. */
export const EventTypeView = Type.Object({
  type: Type.String({ description: 'Event type', examples: ['ticket.created'] }),
  description: Type.String({ description: 'When it is sent' }),
  schema: Type.Unknown({ description: 'JSON Schema of `data`' }),
  example: Type.Unknown({ description: 'An example body' }),
});
export const EventTypeList = Type.Object({
  event_types: Type.Array(EventTypeView, { description: 'Every event type' }),
});

/** Body of `POST /v1/events` (platform admins publishing other platform parts' events). */
export const PublishEventBody = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'An external catalog type (invoice.*, compliance.*, usage.*, api_key.*)',
      examples: ['invoice.paid'],
    }),
    customer_id: Type.String({ format: 'uuid', description: 'Tenant the event belongs to' }),
    data: Type.Record(Type.String(), Type.Unknown(), { description: "Event data matching the type's schema" }),
  },
  { additionalProperties: false },
);
export type PublishEventBody = Static<typeof PublishEventBody>;
export const PublishedEvent = Type.Object({
  id: Type.String({ description: 'Event id' }),
  type: Type.String({ description: 'Event type' }),
  customer_id: Type.String({ description: 'Tenant the event belongs to' }),
  created_at: Timestamp('Publication time'),
});
