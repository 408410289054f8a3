/**
 * Cost rules (forecasting.md): a tenant's owners and admins hear, as billing notifications, of a
 * budget threshold reached (high at 100 % and above), a month-end forecast above a budget (high)
 * and a cost anomaly (high when the day is at least double or at most nothing of what was expected,
 * else medium). A budget's alerts of one month share a thread; anomalies thread per day, so a
 * service's spike and the total's it drags along read as one story.
 */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { defineRule } from './engine.ts';
import type { NotificationRule, Recipients } from './engine.ts';

const BudgetEvent = Type.Object({
  budget_id: Type.String(),
  name: Type.String(),
  monthly_limit: Type.Number(),
  currency: Type.String(),
  month: Type.String(),
  spent: Type.Number(),
  percent: Type.Number(),
  threshold_percent: Type.Number(),
});
const ForecastEvent = Type.Object({ ...BudgetEvent.properties, forecast: Type.Number() });
const AnomalyEvent = Type.Object({
  anomaly_id: Type.String(),
  date: Type.String(),
  service: Type.String(),
  actual: Type.Number(),
  expected: Type.Number(),
  impact: Type.Number(),
  direction: Type.Union([Type.Literal('spike'), Type.Literal('drop')]),
  reason: Type.String(),
  currency: Type.String(),
});

const OWNERS_AND_ADMINS: Recipients = { kind: 'tenant_roles', roles: ['owner', 'admin'] };
const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;
const budgetThread = (data: Static<typeof BudgetEvent>) => `budget:${data.budget_id}:${data.month}`;
const BUDGETS_PAGE = '/forecast#budgets';

export const costRules: readonly NotificationRule[] = [
  defineRule({
    name: 'cost.budget_threshold_reached → owners and admins',
    event: 'cost.budget_threshold_reached',
    data: BudgetEvent,
    type: 'billing',
    priority: (data) => (data.threshold_percent >= 100 ? 'high' : 'medium'),
    recipients: [OWNERS_AND_ADMINS],
    title: (data) => `Budget ${data.name} reached ${data.threshold_percent} % in ${data.month}`,
    body: (data) =>
      `Month-to-date spend is ${money(data.spent, data.currency)}, ${data.percent} % of the ${money(data.monthly_limit, data.currency)} monthly limit.`,
    actionUrl: () => BUDGETS_PAGE,
    groupKey: budgetThread,
  }),
  defineRule({
    name: 'cost.forecast_exceeds_budget → owners and admins',
    event: 'cost.forecast_exceeds_budget',
    data: ForecastEvent,
    type: 'billing',
    priority: 'high',
    recipients: [OWNERS_AND_ADMINS],
    title: (data) => `Budget ${data.name} is forecast to be exceeded in ${data.month}`,
    body: (data) =>
      `The month-end forecast is ${money(data.forecast, data.currency)} against a limit of ${money(data.monthly_limit, data.currency)}; ${money(data.spent, data.currency)} is spent so far.`,
    actionUrl: () => BUDGETS_PAGE,
    groupKey: budgetThread,
  }),
  defineRule({
    name: 'cost.anomaly_detected → owners and admins',
    event: 'cost.anomaly_detected',
    data: AnomalyEvent,
    type: 'billing',
    priority: (data) => (Math.abs(data.impact) >= data.expected ? 'high' : 'medium'),
    recipients: [OWNERS_AND_ADMINS],
    title: (data) =>
      `Cost ${data.direction} on ${data.date}: ${data.service === '*' ? 'total' : data.service} ${
        data.impact >= 0 ? '+' : '−'
      }${money(Math.abs(data.impact), data.currency)}`,
    body: (data) => `${data.reason}.`,
    actionUrl: () => '/forecast#anomalies',
    groupKey: (data) => `cost-anomalies:${data.date}`,
  }),
];
