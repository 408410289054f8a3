/**
 * Budget use cases: create (also through the seed's `budget-alert`), list, get, update and delete,
 * each answered with the budget's status this month: month-to-date actual, month-end estimate,
 * percent used and the alerts raised. Budgets belong to a tenant; another tenant's is a 404.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { AppError, invalidField, notFound } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { newBudgetId } from '../ids.ts';
import type { BudgetId } from '../ids.ts';
import { parseDecimal, toMicros } from '../money.ts';
import { costProfile, dailyCostsByService } from '../records/store.ts';
import type { BudgetBasis } from '../tables.ts';
import { budgetSpend, DEFAULT_THRESHOLDS, historyStart, percentOf, periodOf, validateThresholds } from './model.ts';
import type { BudgetPeriod, BudgetSpend } from './model.ts';
import { budgetRepository, NEWEST_BUDGETS } from './repository.ts';
import type { BudgetAlertRow, BudgetRow } from './repository.ts';

/** A budget with what it has spent this month. */
export interface BudgetWithStatus {
  budget: BudgetRow;
  currency: string | null;
  period: BudgetPeriod;
  spend: BudgetSpend;
  percentUsed: number;
  alerts: BudgetAlertRow[];
}

export interface BudgetInput {
  name: string;
  monthly_limit: number;
  thresholds?: unknown[] | undefined;
  basis?: BudgetBasis | undefined;
  services?: string[] | null | undefined;
}

type PageRequest = { limit?: number | undefined; cursor?: string | undefined };

/** The caller's tenant: budgets are the tenant's own (staff hold no cost permission anyway). */
function tenantScope(auth: AuthContext) {
  const scope = scopeOf(auth);
  if (scope.kind !== 'tenant' || !scope.customerId) throw new AppError('forbidden', 'Budgets belong to a tenant');
  return { kind: 'tenant' as const, customerId: scope.customerId };
}

/** A limit in micro-units: a positive decimal, exact. */
function limitMicros(value: number): number {
  const parsed = parseDecimal(value);
  if (!parsed) throw invalidField('monthly_limit', 'must be a decimal amount');
  const micros = toMicros(parsed);
  if (micros <= 0) throw invalidField('monthly_limit', 'must be greater than 0');
  return micros;
}

function servicesOf(services: string[] | null | undefined): string | null {
  if (!services) return null;
  if (new Set(services).size !== services.length) throw invalidField('services', 'must not repeat a service');
  return JSON.stringify(services);
}

/** The services a budget covers; null for all. */
export const coveredServices = (budget: BudgetRow): string[] | null =>
  budget.services === null ? null : (JSON.parse(budget.services) as string[]);
export const thresholdsOf = (budget: BudgetRow): number[] => JSON.parse(budget.thresholds) as number[];

export function createBudgetService(deps: { db: Kysely<Database>; clock: () => Date }) {
  const { db, clock } = deps;

  /** Statuses of budgets of one tenant, from one read of its recent daily costs. */
  async function withStatus(customerId: string, budgets: BudgetRow[]): Promise<BudgetWithStatus[]> {
    if (budgets.length === 0) return [];
    const period = periodOf(clock());
    const scope = { kind: 'tenant' as const, customerId };
    const [profile, days, alerts] = await Promise.all([
      costProfile(db, customerId),
      dailyCostsByService(db, customerId, { from: historyStart(period), to: period.today }),
      budgetRepository(db, scope).alerts(
        budgets.map((b) => b.id),
        period.month,
      ),
    ]);
    return budgets.map((budget) => {
      const spend = budgetSpend(days, coveredServices(budget), period);
      return {
        budget,
        currency: profile?.currency ?? null,
        period,
        spend,
        percentUsed: percentOf(spend.spentMicros, budget.monthly_limit_micros),
        alerts: alerts.filter((a) => a.budget_id === budget.id),
      };
    });
  }

  async function one(customerId: string, id: BudgetId): Promise<BudgetWithStatus> {
    const budget = await budgetRepository(db, { kind: 'tenant', customerId }).find(id);
    if (!budget) throw notFound('Budget');
    return (await withStatus(customerId, [budget]))[0] as BudgetWithStatus;
  }

  return {
    async create(auth: AuthContext, input: BudgetInput): Promise<BudgetWithStatus> {
      const scope = tenantScope(auth);
      const now = clock();
      const id = newBudgetId(now);
      await budgetRepository(db, scope).insert({
        id,
        customer_id: scope.customerId,
        name: input.name,
        monthly_limit_micros: limitMicros(input.monthly_limit),
        thresholds: JSON.stringify(validateThresholds(input.thresholds ?? [...DEFAULT_THRESHOLDS])),
        basis: input.basis ?? 'both',
        services: servicesOf(input.services),
        created_by: auth.userId,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
      return one(scope.customerId, id);
    },

    async list(auth: AuthContext, page: PageRequest): Promise<Page<BudgetWithStatus>> {
      const scope = tenantScope(auth);
      const rows = await budgetRepository(db, scope).list(page);
      const paged = toPage(rows, NEWEST_BUDGETS, page.limit, (r) => ({ value: r.created_at, id: r.id }));
      return { ...paged, items: await withStatus(scope.customerId, paged.items) };
    },

    get(auth: AuthContext, id: BudgetId): Promise<BudgetWithStatus> {
      return one(tenantScope(auth).customerId, id);
    },

    async update(auth: AuthContext, id: BudgetId, changes: Partial<BudgetInput>): Promise<BudgetWithStatus> {
      const scope = tenantScope(auth);
      const repository = budgetRepository(db, scope);
      if (!(await repository.find(id))) throw notFound('Budget');
      await repository.update(id, {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.monthly_limit !== undefined ? { monthly_limit_micros: limitMicros(changes.monthly_limit) } : {}),
        ...(changes.thresholds !== undefined
          ? { thresholds: JSON.stringify(validateThresholds(changes.thresholds)) }
          : {}),
        ...(changes.basis !== undefined ? { basis: changes.basis } : {}),
        ...(changes.services !== undefined ? { services: servicesOf(changes.services) } : {}),
        updated_at: clock().toISOString(),
      });
      return one(scope.customerId, id);
    },

    async remove(auth: AuthContext, id: BudgetId): Promise<void> {
      if (!(await budgetRepository(db, tenantScope(auth)).delete(id))) throw notFound('Budget');
    },
  };
}
