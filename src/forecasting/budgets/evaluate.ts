/**
 * Budget evaluation for one tenant: reads its budgets and the month's daily costs, works out each
 * budget's spend and the alerts due (outside any transaction), then in one transaction records each
 * alert with insert … on conflict do nothing and emits its events only when the row was added. The
 * alert's primary key (budget, month, kind, threshold) is what makes every event at most once per
 * threshold per month, however often evaluation runs and whichever worker runs it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import { emitEvents } from '../../events/outbox.ts';
import type { NewEvent } from '../../events/outbox.ts';
import { dailyCostsByService } from '../records/store.ts';
import { alertEvents } from './events.ts';
import { budgetSpend, dueAlerts, historyStart, periodOf } from './model.ts';
import type { DueAlert } from './model.ts';
import { budgetsOfCustomer, insertAlert } from './repository.ts';
import { coveredServices, thresholdsOf } from './service.ts';
import type { AlertContext } from './events.ts';

/** Evaluates a tenant's budgets for the month of `now`; returns the number of alerts raised. */
export async function evaluateBudgets(
  db: Kysely<Database>,
  customerId: string,
  currency: string,
  now: Date,
): Promise<number> {
  const budgets = await budgetsOfCustomer(db, customerId);
  if (budgets.length === 0) return 0;
  const period = periodOf(now);
  const days = await dailyCostsByService(db, customerId, { from: historyStart(period), to: period.today });
  const due: { alert: DueAlert; context: AlertContext }[] = [];
  for (const budget of budgets) {
    const services = coveredServices(budget);
    const spend = budgetSpend(days, services, period);
    const alerts = dueAlerts(
      { limitMicros: budget.monthly_limit_micros, thresholds: thresholdsOf(budget), basis: budget.basis },
      spend,
    );
    for (const alert of alerts) due.push({ alert, context: { budget, services, currency, period, spend } });
  }
  if (due.length === 0) return 0;
  const createdAt = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const events: NewEvent[] = [];
    let raised = 0;
    for (const { alert, context } of due) {
      const inserted = await insertAlert(trx, {
        budget_id: context.budget.id,
        customer_id: customerId,
        month: period.month,
        kind: alert.kind,
        threshold: alert.threshold,
        amount_micros: alert.kind === 'actual' ? context.spend.spentMicros : context.spend.forecastMicros,
        created_at: createdAt,
      });
      if (!inserted) continue;
      raised += 1;
      events.push(...alertEvents(alert, context));
    }
    if (events.length > 0) await emitEvents(trx, events, now);
    return raised;
  });
}
