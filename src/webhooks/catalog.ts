/**
 * The event catalog of webhooks.md: every type a webhook can subscribe to, with a description,
 * the JSON Schema of its `data` and an example. Types produced outside this service (invoices,
 * compliance scans, usage, API keys) come in through `POST /v1/events` and are validated here;
 * some of those are emitted here too (API keys by identity, `usage.threshold_exceeded` by budgets).
 */
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';

/** One catalog entry. */
export interface EventTypeInfo {
  type: string;
  description: string;
  /** JSON Schema of the event's `data`. */
  schema: TSchema;
  example: Record<string, unknown>;
  /**
   * Other platform parts may publish it through `POST /v1/events` (this service may emit it as
   * well: `api_key.*`, and `usage.threshold_exceeded` for cost budgets).
   */
  external: boolean;
}

const Str = (description: string) => Type.String({ description });
const Num = (description: string) => Type.Number({ description });
const Ticket = Type.Object(
  {
    id: Str('Ticket id'),
    reference: Str('Human reference, e.g. SB-1042'),
    subject: Str('Subject'),
    status: Str('Status'),
    priority: Str('Priority'),
    category: Str('Category'),
    customer_id: Str('Tenant'),
  },
  { description: 'The ticket as the customer sees it (internal notes are never included)' },
);
const ticketExample = {
  id: '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b',
  reference: 'SB-1042',
  subject: 'Cannot log in with SSO',
  status: 'open',
  priority: 'high',
  category: 'technical',
  customer_id: '0193a5f2-0000-7000-8000-000000000001',
};
const SlaEvent = Type.Object({
  ticket: Ticket,
  clock: Type.Union([Type.Literal('first_response'), Type.Literal('resolution')], {
    description: 'first_response (until the first public staff reply) or resolution (until resolved)',
  }),
  due_at: Str('When the clock reaches (or reached) its target, counted in business time (RFC 3339)'),
});
const NullableStr = (description: string) => Type.Union([Str(description), Type.Null()]);
/** The notification as its user sees it (the inbox's view; kept here so webhooks import no feature). */
const Notification = Type.Object({
  id: Str('Notification id'),
  customer_id: Str('Tenant'),
  user_id: Str('The user it belongs to'),
  type: Str('security_alert, billing, compliance, system, informational or support'),
  priority: Str('critical, high, medium or low'),
  title: Str('Title'),
  body: Str('Plain-text body'),
  action_url: NullableStr('Portal route, e.g. /support/SB-1042'),
  source_event_id: NullableStr('The event that caused it'),
  group_key: NullableStr('Thread (e.g. ticket:…)'),
  group_count: Num('Activities gathered in the thread'),
  sequence: Num('Position in the user’s change stream'),
  created_at: Str('Created (RFC 3339)'),
  updated_at: Str('Last changed (RFC 3339)'),
  seen_at: NullableStr('First listed (RFC 3339)'),
  read_at: NullableStr('Read (RFC 3339)'),
  archived_at: NullableStr('Archived (RFC 3339)'),
});
const notificationExample = {
  id: '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6c',
  customer_id: '0193a5f2-0000-7000-8000-000000000001',
  user_id: '0193a5f2-0000-7000-8000-000000000002',
  type: 'support',
  priority: 'medium',
  title: 'New reply on SB-1042: Cannot log in with SSO',
  body: 'We rolled out a fix.',
  action_url: '/support/SB-1042',
  source_event_id: 'evt_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b',
  group_key: 'ticket:0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b',
  group_count: 2,
  sequence: 17,
  created_at: '2026-11-25T09:30:00.000Z',
  updated_at: '2026-11-25T10:05:00.000Z',
  seen_at: null,
  read_at: null,
  archived_at: null,
};
const Invoice = Type.Object({
  invoice_id: Str('Invoice id'),
  amount: Num('Amount in the currency'),
  currency: Str('ISO 4217 code'),
  due_date: Str('Due date (YYYY-MM-DD)'),
});
const invoiceExample = { invoice_id: 'inv_2026_11_0042', amount: 1250.5, currency: 'USD', due_date: '2026-12-15' };
const Budget = Type.Object({
  budget_id: Str('Budget id'),
  name: Str('Budget name'),
  monthly_limit: Num('The monthly limit, in the currency'),
  currency: Str('ISO 4217 code of the tenant’s costs'),
  month: Str('The calendar month evaluated (YYYY-MM, UTC)'),
  spent: Num('Month-to-date actual cost of the services the budget covers'),
  percent: Num('spent as a percentage of the limit'),
  threshold_percent: Num('The threshold crossed, in percent of the limit (100 for a forecast alert)'),
  services: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'The services the budget covers; null for all',
  }),
});
const budgetExample = {
  budget_id: 'bud_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b',
  name: 'Production',
  monthly_limit: 10000,
  currency: 'USD',
  month: '2026-11',
  spent: 8123.4,
  percent: 81.23,
  threshold_percent: 80,
  services: null,
};
function entry(
  type: string,
  description: string,
  schema: TSchema,
  example: Record<string, unknown>,
  external = false,
): EventTypeInfo {
  return { type, description, schema, example, external };
}

/** Every subscribable event type, in catalog order (those of the first release first). */
export const EVENT_CATALOG: readonly EventTypeInfo[] = Object.freeze([
  entry('invoice.created', 'An invoice was issued.', Invoice, invoiceExample, true),
  entry(
    'invoice.paid',
    'An invoice was paid in full.',
    Type.Object({ ...Invoice.properties, paid_at: Str('Payment time (RFC 3339)') }),
    { ...invoiceExample, paid_at: '2026-12-01T10:00:00Z' },
    true,
  ),
  entry(
    'invoice.overdue',
    'An invoice passed its due date unpaid.',
    Type.Object({ ...Invoice.properties, days_overdue: Num('Days past due') }),
    { ...invoiceExample, days_overdue: 3 },
    true,
  ),
  entry('ticket.created', 'A support ticket was opened.', Type.Object({ ticket: Ticket }), { ticket: ticketExample }),
  entry(
    'ticket.updated',
    'A ticket changed (status, priority, category, assignee or tags).',
    Type.Object({ ticket: Ticket, changes: Type.Unknown({ description: 'Field → {from, to}' }) }),
    { ticket: ticketExample, changes: { priority: { from: 'medium', to: 'high' } } },
  ),
  entry(
    'ticket.resolved',
    'A ticket was resolved.',
    Type.Object({
      ticket: Ticket,
      resolution_time: Num('Seconds from creation to resolution'),
      resolved_by: Str('Who resolved it: a user id (or the id of the API key)'),
    }),
    {
      ticket: { ...ticketExample, status: 'resolved' },
      resolution_time: 5400,
      resolved_by: '0193a5f2-0000-7000-8000-000000000003',
    },
  ),
  entry(
    'compliance.scan_completed',
    'A compliance scan finished.',
    Type.Object({
      scan_id: Str('Scan id'),
      framework: Str('e.g. SOC2, HIPAA'),
      score: Num('0–100'),
      findings: Num('Number of findings'),
    }),
    { scan_id: 'scan_77', framework: 'SOC2', score: 92, findings: 4 },
    true,
  ),
  entry(
    'compliance.finding_critical',
    'A scan found a critical issue.',
    Type.Object({
      scan_id: Str('Scan id'),
      finding_id: Str('Finding id'),
      title: Str('What was found'),
      resource: Str('Affected resource'),
    }),
    { scan_id: 'scan_77', finding_id: 'f_9', title: 'Public S3 bucket', resource: 'arn:aws:s3:::logs' },
    true,
  ),
  entry(
    'usage.threshold_exceeded',
    'Usage of a metered resource crossed a threshold. Published by other platform parts (e.g. api_requests), and by cost budgets (metric cost, with the budget named) alongside cost.budget_threshold_reached.',
    Type.Object({
      metric: Str('Metered resource; cost for a cost budget'),
      usage: Num('Current usage (for cost: month-to-date spend in the currency)'),
      threshold: Num('Threshold crossed (for cost: the threshold amount in the currency)'),
      budget_id: Type.Optional(Str('For cost: the budget whose threshold was crossed')),
      currency: Type.Optional(Str('For cost: ISO 4217 code')),
      month: Type.Optional(Str('For cost: the month evaluated (YYYY-MM)')),
    }),
    { metric: 'api_requests', usage: 105000, threshold: 100000 },
    true,
  ),
  entry(
    'api_key.created',
    'An API key was created.',
    Type.Object({ api_key_id: Str('Key id'), name: Str('Key name'), prefix: Str('Visible prefix') }),
    { api_key_id: 'key_1', name: 'CI', prefix: 'sb_live_ab12' },
    true,
  ),
  entry(
    'api_key.revoked',
    'An API key was revoked.',
    Type.Object({ api_key_id: Str('Key id'), name: Str('Key name') }),
    { api_key_id: 'key_1', name: 'CI' },
    true,
  ),
  entry(
    'ticket.commented',
    'A public comment was added to a ticket (internal notes never produce this event).',
    Type.Object({
      ticket: Ticket,
      comment: Type.Object({
        id: Str('Comment id'),
        body: Str('Text'),
        author_role: Str('customer or staff'),
        visibility: Type.Literal('public'),
      }),
    }),
    {
      ticket: ticketExample,
      comment: { id: 'c1', body: 'We rolled out a fix.', author_role: 'staff', visibility: 'public' },
    },
  ),
  entry('ticket.reopened', 'A resolved ticket was reopened.', Type.Object({ ticket: Ticket }), {
    ticket: ticketExample,
  }),
  entry('ticket.closed', 'A ticket was closed.', Type.Object({ ticket: Ticket }), {
    ticket: { ...ticketExample, status: 'closed' },
  }),
  entry(
    'ticket.assigned',
    'A ticket was assigned to a staff member (by staff or round-robin), or unassigned.',
    Type.Object({
      ticket: Ticket,
      assignee_id: Type.Union([Str('The new assignee (staff user id)'), Type.Null()]),
      previous_assignee_id: Type.Union([Str('The assignee before'), Type.Null()]),
      assigned_by: Type.Union([Str('The staff user who assigned it'), Type.Null()], {
        description: 'The staff user who assigned it; null when round-robin did',
      }),
    }),
    {
      ticket: ticketExample,
      assignee_id: '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6c',
      previous_assignee_id: null,
      assigned_by: '0193a5f2-0000-7000-8000-000000000003',
    },
  ),
  entry(
    'ticket.satisfaction_rated',
    'The customer rated the support of a resolved ticket (CSAT, once per resolution).',
    Type.Object({
      ticket: Ticket,
      satisfaction: Type.Object({
        id: Str('Rating id'),
        rating: Num('1 (very unhappy) to 5 (very happy)'),
        comment: Type.Union([Str('What the customer wrote'), Type.Null()]),
        resolved_at: Str('The resolution rated'),
        agent_id: Type.Union([Str('The assignee the rating counts for'), Type.Null()]),
      }),
    }),
    {
      ticket: { ...ticketExample, status: 'resolved' },
      satisfaction: {
        id: '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a70',
        rating: 5,
        comment: 'Quick and clear.',
        resolved_at: '2026-11-25T12:00:00Z',
        agent_id: '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6c',
      },
    },
  ),
  entry(
    'ticket.sla_warning',
    'A ticket SLA clock reached its warning share (80 % by default) of the target; once per clock per cycle.',
    SlaEvent,
    { ticket: ticketExample, clock: 'first_response', due_at: '2026-11-25T12:00:00.000Z' },
  ),
  entry(
    'ticket.sla_breached',
    'A ticket SLA clock passed its target; once per clock per cycle (a reopen starts a new resolution cycle).',
    SlaEvent,
    { ticket: ticketExample, clock: 'resolution', due_at: '2026-11-25T12:00:00.000Z' },
  ),
  entry(
    'cost.budget_threshold_reached',
    'Month-to-date spending reached a threshold of a budget (basis actual or both); once per threshold per month.',
    Budget,
    budgetExample,
  ),
  entry(
    'cost.forecast_exceeds_budget',
    'The month-end forecast (month-to-date actual plus the nowcast of the remaining days) exceeds a budget’s limit (basis forecast or both); once per month.',
    Type.Object({ ...Budget.properties, forecast: Num('Forecast month-end cost') }),
    { ...budgetExample, spent: 6120.5, percent: 61.21, threshold_percent: 100, forecast: 12400 },
  ),
  entry(
    'cost.anomaly_detected',
    'A day’s cost of a service (or the total) departed from its expected level; once per anomaly.',
    Type.Object({
      anomaly_id: Str('Anomaly id'),
      date: Str('The day (YYYY-MM-DD)'),
      service: Str('The service, or * for the tenant’s total'),
      actual: Num('The day’s cost'),
      expected: Num('The expected cost of the day'),
      impact: Num('actual − expected (negative for drops)'),
      score: Num('Robust deviations from the expected level'),
      direction: Type.Union([Type.Literal('spike'), Type.Literal('drop')], { description: 'spike or drop' }),
      rule: Str('residual_mad, prior_week_150 or both'),
      reason: Str('Human-readable explanation'),
      currency: Str('ISO 4217 code'),
    }),
    {
      anomaly_id: 'anm_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b',
      date: '2026-11-24',
      service: 'Amazon EC2',
      actual: 410,
      expected: 120,
      impact: 290,
      score: 7.3,
      direction: 'spike',
      rule: 'both',
      reason:
        'Amazon EC2 cost 410.00 USD vs expected 120.00 (+242 %), 7.3 robust deviations above, above 150 % of the prior 7-day average (118.40)',
      currency: 'USD',
    },
  ),
  entry(
    'notification.created',
    'A user of the tenant got a notification (or new activity on one of theirs: same id, group_count grows). Staff notifications never appear here.',
    Notification,
    notificationExample,
  ),
  entry(
    'webhook.endpoint_disabled',
    'A webhook endpoint was disabled after failing for days, or on 410 Gone.',
    Type.Object({
      webhook_id: Str('Endpoint id'),
      url: Str('Endpoint URL'),
      reason: Str('disabled_failing or disabled_gone'),
      failing_since: Type.Union([Str('First failure'), Type.Null()]),
    }),
    {
      webhook_id: 'wh_0193a5f2',
      url: 'https://example.com/hooks',
      reason: 'disabled_failing',
      failing_since: '2026-11-20T10:00:00Z',
    },
  ),
]);

/** The type sent by `POST /v1/webhooks/{id}/test`; not subscribable. */
export const TEST_EVENT_TYPE = 'webhook.test';

const BY_TYPE = new Map(EVENT_CATALOG.map((e) => [e.type, e]));

/** True for a type endpoints may subscribe to. */
export function isCatalogType(type: string): boolean {
  return BY_TYPE.has(type);
}

/** The catalog entry of a type, if any. */
export function catalogEntry(type: string): EventTypeInfo | undefined {
  return BY_TYPE.get(type);
}

/** Validates the `data` of an externally published event; returns error messages (empty when valid). */
export function validateEventData(type: string, data: unknown): string[] {
  const info = BY_TYPE.get(type);
  if (!info) return [`unknown event type ${type}`];
  return [...Value.Errors(info.schema, data)].slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
