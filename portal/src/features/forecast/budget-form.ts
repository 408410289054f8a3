// The budget dialog's values, their validation (matching the server's schema) and the request body.
import type { ApiProblem } from '../../api/problem.ts';
import type { operations } from '../../api/client.ts';

export type Budget = operations['getCostBudgets']['responses'][200]['content']['application/json']['budgets'][number];
export type BudgetBody = NonNullable<operations['postCostBudgets']['requestBody']>['content']['application/json'];
export type Basis = Budget['basis'];

export const MAX_THRESHOLDS = 10;
const MAX_LIMIT = 1_000_000_000;

export interface BudgetFormValues {
  name: string;
  monthlyLimit: string;
  /** Percentages of the limit, comma-separated: "50, 80, 100". */
  thresholds: string;
  basis: Basis;
  /** The services covered; empty for all. */
  services: string[];
}

export type BudgetField = 'name' | 'monthly_limit' | 'thresholds' | 'basis' | 'services';
export type BudgetErrors = Partial<Record<BudgetField, string>>;

export const NEW_BUDGET: BudgetFormValues = {
  name: '',
  monthlyLimit: '',
  thresholds: '50, 80, 100',
  basis: 'both',
  services: [],
};

export function valuesOf(budget: Budget): BudgetFormValues {
  return {
    name: budget.name,
    monthlyLimit: String(budget.monthly_limit),
    thresholds: budget.thresholds.map((fraction) => String(Math.round(fraction * 10_000) / 100)).join(', '),
    basis: budget.basis,
    services: budget.services ?? [],
  };
}

/** The thresholds typed as percentages, as ascending fractions; a string says what is wrong. */
export function parseThresholds(text: string): number[] | string {
  const parts = text
    .split(/[,\s;]+/)
    .map((part) => part.replace(/%$/, ''))
    .filter((part) => part !== '');
  if (parts.length > MAX_THRESHOLDS) return `At most ${MAX_THRESHOLDS} thresholds`;
  const percents = parts.map(Number);
  if (percents.some((percent) => !Number.isFinite(percent) || percent <= 0 || percent > 1000))
    return 'Each threshold is a percentage of the limit above 0 and at most 1000';
  const unique = [...new Set(percents)].sort((a, b) => a - b);
  return unique.map((percent) => Math.round(percent * 100) / 10_000);
}

export function validateBudget(values: BudgetFormValues): BudgetErrors {
  const errors: BudgetErrors = {};
  const name = values.name.trim();
  if (name === '') errors.name = 'Give the budget a name';
  else if (name.length > 200) errors.name = 'At most 200 characters';
  const limit = Number(values.monthlyLimit);
  if (values.monthlyLimit.trim() === '' || !Number.isFinite(limit) || limit <= 0)
    errors.monthly_limit = 'Enter a monthly limit above 0';
  else if (limit > MAX_LIMIT) errors.monthly_limit = 'At most 1,000,000,000';
  const thresholds = parseThresholds(values.thresholds);
  if (typeof thresholds === 'string') errors.thresholds = thresholds;
  return errors;
}

/** The body of a create or update; call after `validateBudget` found nothing. */
export function budgetBody(values: BudgetFormValues): BudgetBody {
  const thresholds = parseThresholds(values.thresholds);
  return {
    name: values.name.trim(),
    monthly_limit: Number(values.monthlyLimit),
    thresholds: typeof thresholds === 'string' ? [] : thresholds,
    basis: values.basis,
    ...(values.services.length > 0 ? { services: values.services } : {}),
  };
}

const FIELDS: BudgetField[] = ['name', 'monthly_limit', 'thresholds', 'basis', 'services'];

/** The server's refusals by field: `thresholds.2` and `/monthly_limit` count for their field. */
export function serverErrors(problem: ApiProblem): BudgetErrors {
  const errors: BudgetErrors = {};
  for (const error of problem.errors) {
    const field = FIELDS.find((name) => error.field.replace(/^\//, '').split(/[./]/)[0] === name);
    if (field && !errors[field]) errors[field] = error.message;
  }
  return errors;
}
