/** Request and response schemas of the budget routes (validation, serialisation and OpenAPI). */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { PageOf, PageQuery } from '../../http/pagination.ts';
import { Described, NullableString, Timestamp } from '../../http/schema-types.ts';
import { MAX_THRESHOLDS } from './model.ts';

const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Budget name', examples: ['Production'] });
const MonthlyLimit = Type.Number({
  exclusiveMinimum: 0,
  maximum: 1_000_000_000,
  description:
    'Monthly limit in the tenant’s currency: positive, at most 1,000,000,000, kept exactly to 6 decimal places',
  examples: [10000],
});
const Thresholds = Type.Array(Type.Number({ description: 'A fraction of the limit in (0, 10]', examples: [0.8] }), {
  maxItems: MAX_THRESHOLDS,
  description: 'Fractions of the limit that raise an alert, ascending (default [0.5, 0.8, 1.0]); at most 10',
  examples: [[0.5, 0.8, 1]],
});
const Basis = Type.Enum(['actual', 'forecast', 'both'], {
  description:
    'actual: alert on month-to-date spend; forecast: alert when the month-end estimate exceeds the limit; both (default)',
  examples: ['both'],
});
const Services = Type.Array(
  Type.String({ minLength: 1, maxLength: 200, description: 'A service name as in the cost data', examples: ['EC2'] }),
  { minItems: 1, maxItems: 100, description: 'Services the budget covers; omit for all', examples: [['EC2', 'RDS']] },
);

/** Body of `POST /v1/cost/budgets`. */
export const CreateBudgetBody = Type.Object(
  {
    name: Name,
    monthly_limit: MonthlyLimit,
    thresholds: Type.Optional(Thresholds),
    basis: Type.Optional(Basis),
    services: Type.Optional(Services),
  },
  { additionalProperties: false },
);
export type CreateBudgetBody = Static<typeof CreateBudgetBody>;

/** Body of `PATCH /v1/cost/budgets/{id}`: only the fields to change. */
export const UpdateBudgetBody = Type.Object(
  {
    name: Type.Optional(Name),
    monthly_limit: Type.Optional(MonthlyLimit),
    thresholds: Type.Optional(Thresholds),
    basis: Type.Optional(Basis),
    services: Type.Optional(
      Type.Union([Services, Type.Null()], {
        description: 'Services the budget covers; null for all',
        examples: [['EC2'], null],
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateBudgetBody = Static<typeof UpdateBudgetBody>;

/** Body of the seed's `POST /v1/cost/budget-alert`. */
export const BudgetAlertBody = Type.Object(
  {
    monthly_limit: MonthlyLimit,
    alert_threshold: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10,
        default: 0.8,
        description: 'The one threshold, a fraction of the limit in (0, 10] (default 0.8)',
        examples: [0.8],
      }),
    ),
    name: Type.Optional(Described(Name, 'Budget name (default "Monthly budget")')),
  },
  { additionalProperties: false },
);

export const BudgetParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'Budget id', examples: ['bud_0193a5f27c1e7d4a'] }),
});
export const BudgetListQuery = Type.Object(PageQuery, { additionalProperties: false });

const Amount = (description: string, example: number) => Type.Number({ description, examples: [example] });

const AlertView = Type.Object({
  kind: Type.Enum(['actual', 'forecast'], {
    description: 'actual: spend reached the threshold; forecast: the month-end estimate exceeded the limit',
    examples: ['actual'],
  }),
  threshold: Type.Number({ description: 'The fraction of the limit (1 for forecast alerts)', examples: [0.8] }),
  amount: Amount('Spend (actual) or month-end estimate (forecast) when it was raised', 8123.4),
  created_at: Timestamp('When it was raised'),
});

const StatusView = Type.Object(
  {
    month: Type.String({ description: 'The calendar month (UTC), YYYY-MM', examples: ['2026-11'] }),
    as_of: Type.String({
      description: 'The last day with cost data the month-end estimate starts from (YYYY-MM-DD)',
      examples: ['2026-11-27'],
    }),
    spent: Amount('Month-to-date actual cost of the services covered', 8123.4),
    forecast: Amount('Month-end estimate: month-to-date actual plus the nowcast of the remaining days', 9650.2),
    percent_used: Amount('spent as a percentage of the limit', 81.23),
    forecast_percent: Amount('forecast as a percentage of the limit', 96.5),
    thresholds_crossed: Type.Array(Type.Number({ description: 'A threshold reached this month', examples: [0.5] }), {
      description: 'Thresholds whose actual alert was raised this month, ascending',
      examples: [[0.5, 0.8]],
    }),
    forecast_exceeded: Type.Boolean({
      description: 'True when the forecast alert was raised this month',
      examples: [false],
    }),
    alerts: Type.Array(AlertView, { description: 'Alerts raised this month, oldest first' }),
  },
  { description: 'Where the budget stands this month' },
);

/** A budget as read, with its status this month. */
export const BudgetView = Type.Object({
  id: Type.String({ description: 'Budget id', examples: ['bud_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b'] }),
  name: Name,
  monthly_limit: MonthlyLimit,
  currency: NullableString('ISO 4217 code of the tenant’s costs; null before any cost data', { examples: ['USD'] }),
  thresholds: Thresholds,
  basis: Basis,
  services: Type.Unsafe<string[] | null>({
    type: ['array', 'null'],
    items: { type: 'string' },
    description: 'Services the budget covers; null for all',
    examples: [['EC2', 'RDS']],
  }),
  created_at: Timestamp('Created'),
  updated_at: Timestamp('Last changed'),
  status: StatusView,
});

export const BudgetPage = PageOf('budgets', BudgetView);
/** The seed's `GET /v1/cost/budget-alerts`: the same list under the seed's key. */
export const BudgetAlertPage = PageOf('alerts', BudgetView);

/** Answer of the seed's `POST /v1/cost/budget-alert`: its fields plus the budget created. */
export const BudgetAlertCreated = Type.Object({
  message: Type.String({ description: 'What happened', examples: ['Budget alert configured successfully'] }),
  monthly_limit: MonthlyLimit,
  alert_threshold: Type.Number({ description: 'The threshold set', examples: [0.8] }),
  budget: Described(BudgetView, 'The budget created'),
});
