/** A budget with its status as the API shows it: amounts in currency units. */
import { microsToNumber } from '../money.ts';
import { percentOf } from './model.ts';
import type { BudgetWithStatus } from './service.ts';
import { coveredServices, thresholdsOf } from './service.ts';

export function presentBudget(item: BudgetWithStatus) {
  const { budget, spend, alerts } = item;
  return {
    id: budget.id,
    name: budget.name,
    monthly_limit: microsToNumber(budget.monthly_limit_micros),
    currency: item.currency,
    thresholds: thresholdsOf(budget),
    basis: budget.basis,
    services: coveredServices(budget),
    created_at: budget.created_at,
    updated_at: budget.updated_at,
    status: {
      month: item.period.month,
      as_of: spend.asOf,
      spent: microsToNumber(spend.spentMicros),
      forecast: microsToNumber(spend.forecastMicros),
      percent_used: item.percentUsed,
      forecast_percent: percentOf(spend.forecastMicros, budget.monthly_limit_micros),
      thresholds_crossed: alerts
        .filter((a) => a.kind === 'actual')
        .map((a) => a.threshold)
        .sort((a, b) => a - b),
      forecast_exceeded: alerts.some((a) => a.kind === 'forecast'),
      alerts: alerts.map((a) => ({
        kind: a.kind,
        threshold: a.threshold,
        amount: microsToNumber(a.amount_micros),
        created_at: a.created_at,
      })),
    },
  };
}
