/**
 * The SQL of budgets and their alerts, nothing else. Tenant queries start from a TenantScope;
 * the evaluation jobs, which work for one tenant they were given or walk every tenant with
 * budgets, use the system functions below.
 */
import { sql } from 'kysely';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { TenantScope } from '../../identity/auth-context.ts';
import { withinScope } from '../../identity/scope.ts';
import { pageQuery } from '../../database/pagination.ts';
import type { SortKey } from '../../database/pagination.ts';
import type { Executor } from '../../jobs/types.ts';
import type { BudgetId } from '../ids.ts';
import type { BudgetAlertsTable, BudgetsTable } from '../tables.ts';

export type BudgetRow = Selectable<BudgetsTable>;
export type BudgetAlertRow = Selectable<BudgetAlertsTable>;

/** Newest first, id as tiebreaker. */
export const NEWEST_BUDGETS: SortKey = {
  name: 'created_at',
  expression: sql.ref('budgets.created_at'),
  idColumn: 'budgets.id',
  direction: 'desc',
};

/** Budget queries of one tenant scope. */
export function budgetRepository(db: Executor, scope: TenantScope & { customerId: string }) {
  const budgets = () => withinScope(db.selectFrom('budgets').selectAll(), scope, 'budgets.customer_id');
  return {
    async insert(row: Insertable<BudgetsTable>): Promise<void> {
      await db.insertInto('budgets').values(row).execute();
    },
    list(page: { limit?: number | undefined; cursor?: string | undefined }): Promise<BudgetRow[]> {
      return pageQuery(budgets(), NEWEST_BUDGETS, page).execute();
    },
    find(id: BudgetId): Promise<BudgetRow | undefined> {
      return budgets().where('budgets.id', '=', id).executeTakeFirst();
    },
    async update(id: BudgetId, changes: Updateable<BudgetsTable>): Promise<void> {
      await db
        .updateTable('budgets')
        .set(changes)
        .where('id', '=', id)
        .where('customer_id', '=', scope.customerId)
        .execute();
    },
    /** True when a row was deleted (its alerts go with it, by the foreign key). */
    async delete(id: BudgetId): Promise<boolean> {
      const result = await db
        .deleteFrom('budgets')
        .where('id', '=', id)
        .where('customer_id', '=', scope.customerId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** The alerts raised in a month for these budgets, oldest first. */
    alerts(ids: readonly BudgetId[], month: string): Promise<BudgetAlertRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return withinScope(db.selectFrom('budget_alerts').selectAll(), scope, 'budget_alerts.customer_id')
        .where('budget_id', 'in', ids)
        .where('month', '=', month)
        .orderBy('created_at')
        .orderBy('threshold')
        .execute();
    },
  };
}

/** Every budget of one tenant (the evaluation job's input). */
export function budgetsOfCustomer(db: Executor, customerId: string): Promise<BudgetRow[]> {
  return db.selectFrom('budgets').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
}

/** A page of the tenants that have budgets, in id order after `after` (the daily job's walk). */
export async function customersWithBudgets(db: Executor, after: string | null, limit: number): Promise<string[]> {
  let query = db.selectFrom('budgets').select('customer_id').distinct().orderBy('customer_id').limit(limit);
  if (after !== null) query = query.where('customer_id', '>', after);
  return (await query.execute()).map((row) => row.customer_id);
}

/** Records an alert unless it exists (once per budget, month, kind and threshold); true when inserted. */
export async function insertAlert(db: Executor, row: Insertable<BudgetAlertsTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('budget_alerts')
    .values(row)
    .onConflict((oc) => oc.columns(['budget_id', 'month', 'kind', 'threshold']).doNothing())
    .returning('budget_id')
    .executeTakeFirst();
  return inserted !== undefined;
}
