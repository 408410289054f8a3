/** Request and response schemas of the anomaly routes. */
import { Type } from 'typebox';
import { PageOf, PageQuery } from '../../http/pagination.ts';
import { Timestamp } from '../../http/schema-types.ts';

const Day = (description: string) => Type.String({ format: 'date', description, examples: ['2026-11-24'] });

export const AnomalyListQuery = Type.Object(
  {
    from: Type.Optional(Day('Only days on or after this one (YYYY-MM-DD)')),
    to: Type.Optional(Day('Only days on or before this one (YYYY-MM-DD)')),
    service: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Only this service (`*` for the tenant’s total)',
        examples: ['EC2'],
      }),
    ),
    direction: Type.Optional(
      Type.Enum(['spike', 'drop'], { description: 'Only spikes or only drops', examples: ['spike'] }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const AnomalyParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'Anomaly id', examples: ['anm_0193a5f27c1e7d4a'] }),
});

const Amount = (description: string, example: number) => Type.Number({ description, examples: [example] });

/** An anomaly as read. */
export const AnomalyView = Type.Object({
  id: Type.String({ description: 'Anomaly id', examples: ['anm_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b'] }),
  date: Day('The day'),
  service: Type.String({ description: 'The service, or `*` for the tenant’s total', examples: ['EC2'] }),
  actual: Amount('The day’s cost', 410),
  expected: Amount('The expected cost of the day', 120),
  impact: Amount('actual − expected (negative for drops)', 290),
  score: Amount('Robust deviations from the expected level (signed)', 7.3),
  direction: Type.Enum(['spike', 'drop'], { description: 'spike or drop', examples: ['spike'] }),
  rule: Type.Enum(['residual_mad', 'prior_week_150', 'both'], {
    description:
      'residual_mad: robust residual threshold; prior_week_150: above 150 % of the prior 7-day average; both',
    examples: ['both'],
  }),
  reason: Type.String({
    description: 'Human-readable explanation',
    examples: ['EC2 cost 410.00 USD vs expected 120.00 (+242 %), 7.3 robust deviations above'],
  }),
  detected_at: Timestamp('When it was detected'),
});

export const AnomalyPage = PageOf('anomalies', AnomalyView);
