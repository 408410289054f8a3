/**
 * The events of a budget alert, pure. An actual alert is `cost.budget_threshold_reached` plus the
 * seed's `usage.threshold_exceeded` (metric `cost`), for receivers built on the seed's catalog; a
 * forecast alert is `cost.forecast_exceeds_budget`. Amounts in currency units, as the catalog says.
 */
import Big from 'big.js';
import type { NewEvent } from '../../events/outbox.ts';
import { microsToNumber } from '../money.ts';
import { percentOf } from './model.ts';
import type { BudgetPeriod, BudgetSpend, DueAlert } from './model.ts';
import type { BudgetRow } from './repository.ts';

/** What an alert's events describe. */
export interface AlertContext {
  budget: BudgetRow;
  services: string[] | null;
  currency: string;
  period: BudgetPeriod;
  spend: BudgetSpend;
}

export function alertEvents(alert: DueAlert, context: AlertContext): NewEvent[] {
  const { budget, services, currency, period, spend } = context;
  const customerId = budget.customer_id;
  const base = {
    budget_id: budget.id,
    name: budget.name,
    monthly_limit: microsToNumber(budget.monthly_limit_micros),
    currency,
    month: period.month,
    spent: microsToNumber(spend.spentMicros),
    percent: percentOf(spend.spentMicros, budget.monthly_limit_micros),
    threshold_percent: Number(new Big(String(alert.threshold)).times(100).toString()),
    services,
  };
  if (alert.kind === 'forecast') {
    return [
      {
        type: 'cost.forecast_exceeds_budget',
        customerId,
        data: { ...base, forecast: microsToNumber(spend.forecastMicros) },
      },
    ];
  }
  return [
    { type: 'cost.budget_threshold_reached', customerId, data: base },
    {
      type: 'usage.threshold_exceeded',
      customerId,
      category: 'cost-alerts',
      data: {
        metric: 'cost',
        usage: base.spent,
        threshold: Number(
          new Big(budget.monthly_limit_micros).times(String(alert.threshold)).div(1_000_000).toString(),
        ),
        budget_id: budget.id,
        currency,
        month: period.month,
      },
    },
  ];
}
