import { Type } from 'typebox';
import { AnomalyView } from '../anomalies/schemas.ts';
import { NullableNumber, Timestamp } from '../../http/schema-types.ts';
import { CONFIDENCE_LEVELS, type ConfidenceLevel } from './params.ts';

const Money = (description: string, example: number) => Type.Number({ description, examples: [example] });
const Month = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}$', description, examples: ['2026-12'] });

const forecastFields = {
  months: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 24,
      default: 6,
      description: 'Months to forecast, starting with the current one (1–24)',
      examples: [6],
    }),
  ),
  confidence_level: Type.Optional(
    Type.Enum(Object.keys(CONFIDENCE_LEVELS) as ConfidenceLevel[], {
      description: 'Prediction-interval level: low = 65 %, medium = 80 % (default), high = 95 %',
      examples: ['medium'],
    }),
  ),
  level: Type.Optional(
    Type.Integer({
      minimum: 50,
      maximum: 99,
      description: 'Prediction-interval level in percent (50–99); not together with confidence_level',
      examples: [90],
    }),
  ),
  by: Type.Optional(
    Type.Enum(['service'], {
      description: 'service: also forecast each service; the services add up to the total',
      examples: ['service'],
    }),
  ),
};

export const ForecastQuery = Type.Object(forecastFields, { additionalProperties: false });

export const EXPORT_FORMATS = ['csv', 'json', 'pdf'] as const;

export const ForecastExportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Enum([...EXPORT_FORMATS], { description: 'csv (default), json or pdf', default: 'csv', examples: ['pdf'] }),
    ),
    ...forecastFields,
  },
  { additionalProperties: false },
);

const Point = {
  month: Month('Calendar month'),
  forecast_value: Money('Expected cost of the month (for the current month: the nowcast)', 12480.5),
  lower_bound: Money('Lower bound of the prediction interval at interval_level', 11800),
  upper_bound: Money('Upper bound of the prediction interval at interval_level', 13190.25),
};

const ForecastMonth = Type.Object({
  ...Point,
  month_over_month_change: NullableNumber(
    'number',
    'Percent change from the previous month (the first forecast month: from the last full month); null after a zero month',
  ),
});

const Backtest = Type.Union(
  [
    Type.Object(
      {
        mape: Type.Number({ description: 'Mean absolute percentage error, percent', examples: [6.2] }),
        smape: Type.Number({ description: 'Symmetric MAPE, percent', examples: [6.1] }),
        mase: Type.Number({
          description: 'Mean absolute scaled error (below 1 beats seasonal naive)',
          examples: [0.4],
        }),
        msis: Type.Number({ description: 'Mean scaled interval score of the 95 % interval', examples: [3.1] }),
        coverage: Type.Number({
          description: 'Share of held-out months inside the interval at interval_level (0–1)',
          examples: [0.83],
        }),
        origins: Type.Integer({ description: 'Forecast origins the backtest used', examples: [2] }),
        horizon: Type.Integer({ description: 'Months forecast from each origin', examples: [6] }),
      },
      { description: 'Rolling-origin backtest of the model on the total' },
    ),
    Type.Null({ description: 'History too short for a backtest' }),
  ],
  { description: 'Rolling-origin backtest of the model on the total; null when the history is too short' },
);

export const ForecastView = Type.Object({
  forecast: Type.Array(ForecastMonth, { description: 'The forecast months, starting with the current month' }),
  anomalies: Type.Array(AnomalyView, { description: 'Anomalies of the last 90 days, newest first (at most 50)' }),
  accuracy_score: NullableNumber('number', '1 − MAPE of the backtest, in [0, 1]; null without a backtest'),
  service_breakdown: Type.Array(
    Type.Object({
      service: Type.String({ description: 'Service name', examples: ['Amazon EC2'] }),
      projected_cost: Money('Forecast cost of the service over the forecast months', 40210.8),
      percentage: Type.Number({ description: 'Share of the projected total, percent', examples: [42.5] }),
    }),
    { description: 'Projected cost per service over the forecast months, largest first' },
  ),
  trend: Type.Enum(['increasing', 'decreasing', 'stable'], {
    description: 'Direction of the forecast line, when it moves by more than the model’s typical error',
    examples: ['increasing'],
  }),
  historical_months: Type.Integer({ description: 'Full months of history the model was fitted on', examples: [35] }),
  generated_at: Timestamp('When this forecast was computed (a cached one keeps its time)'),
  as_of: Type.String({ description: 'The last complete day of data the forecast uses', examples: ['2026-11-27'] }),
  model: Type.String({ description: 'The model of the total', examples: ['Trimmed(ETS(A,A,A), Theta, ETS(A,Ad,N))'] }),
  interval_level: Type.Integer({ description: 'Prediction-interval level in percent', examples: [80] }),
  backtest: Backtest,
  currency: Type.String({ description: 'ISO 4217 code of every amount', examples: ['USD'] }),
  history: Type.Array(
    Type.Object({
      month: Month('Calendar month'),
      actual: Money('Actual cost of the month (month-to-date for the current one)', 11230.75),
      partial: Type.Boolean({
        description: 'True for a month not fully covered (the current month, a first month started mid-way)',
        examples: [false],
      }),
    }),
    { description: 'Monthly totals for the chart' },
  ),
  nowcast: Type.Union(
    [
      Type.Object(
        {
          month: Month('The current month'),
          actual_to_date: Money('Cost so far this month, through as_of', 8120.4),
          remaining: Money('Expected cost of the rest of the month', 4360.1),
          forecast_value: Money('actual_to_date + remaining', 12480.5),
          days_elapsed: Type.Integer({ description: 'Days of the month through as_of', examples: [27] }),
          days_in_month: Type.Integer({ description: 'Days in the month', examples: [30] }),
        },
        { description: 'The current month so far and its expected end' },
      ),
      Type.Null({ description: 'No data yet this month' }),
    ],
    { description: 'The current month so far and its expected end; null before its first data' },
  ),
  services: Type.Optional(
    Type.Array(
      Type.Object({
        service: Type.String({ description: 'Service name', examples: ['Amazon EC2'] }),
        model: Type.String({ description: 'The service’s own model before reconciliation', examples: ['Theta'] }),
        forecast: Type.Array(Type.Object(Point), {
          description: 'The service’s months, scaled so the services add up to the total',
        }),
      }),
      { description: 'With by=service: the forecast of each service' },
    ),
  ),
});
