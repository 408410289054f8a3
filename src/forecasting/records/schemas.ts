import { Type } from 'typebox';
import { PageOf, PageQuery } from '../../http/pagination.ts';
import { Timestamp } from '../../http/schema-types.ts';

/** The OpenAPI tag of every cost route. */
export const COST_TAGS = ['costs'];

/** Most records one POST takes (a month of a large account's daily rows). */
export const MAX_RECORDS_PER_BATCH = 10_000;

const DateText = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description, examples: ['2026-11-27'] });

const CostRecordInput = Type.Object(
  {
    date: DateText('Calendar day of the cost, YYYY-MM-DD (a real day, not after tomorrow UTC)'),
    service: Type.String({ minLength: 1, maxLength: 200, description: 'Service name', examples: ['Amazon EC2'] }),
    account_id: Type.Optional(
      Type.String({ maxLength: 200, description: 'Cloud account (omit when unknown)', examples: ['123456789012'] }),
    ),
    region: Type.Optional(
      Type.String({ maxLength: 100, description: 'Region (omit when unknown)', examples: ['eu-west-1'] }),
    ),
    tags: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 500 }), {
        maxProperties: 50,
        description: 'String tags of the day’s cost (stored as given, replaced with the day)',
        examples: [{ team: 'platform' }],
      }),
    ),
    amount: Type.Union([Type.Number(), Type.String({ maxLength: 64 })], {
      description:
        'The day’s cost as a JSON number or a decimal string (exact; stored in micro-units, rounded half-even); credits may be negative',
      examples: ['123.456789'],
    }),
    currency: Type.String({
      maxLength: 3,
      minLength: 3,
      description: 'ISO 4217 code; one currency per tenant, fixed by its first record',
      examples: ['USD'],
    }),
  },
  { additionalProperties: false, description: 'One day of one service in one account and region' },
);

export const CostRecordsBody = Type.Object(
  {
    records: Type.Array(CostRecordInput, {
      minItems: 1,
      maxItems: MAX_RECORDS_PER_BATCH,
      description: `Up to ${MAX_RECORDS_PER_BATCH} records; a (date, service, account_id, region) already stored is replaced`,
    }),
  },
  { additionalProperties: false },
);

export const CostRecordsWritten = Type.Object({
  written: Type.Integer({ description: 'Records stored (new or replacing)', examples: [450] }),
  days: Type.Integer({ description: 'Distinct days in the batch', examples: [30] }),
  services: Type.Integer({ description: 'Distinct services in the batch', examples: [15] }),
  currency: Type.String({ description: 'The tenant’s currency', examples: ['USD'] }),
  data_version: Type.Integer({
    description: 'The tenant’s data version after this write (forecasts are cached per version)',
    examples: [12],
  }),
});

export const CostRecordsQuery = Type.Object(
  {
    from: Type.Optional(DateText('First day, inclusive')),
    to: Type.Optional(DateText('Last day, inclusive')),
    service: Type.Optional(Type.String({ maxLength: 200, description: 'Only this service', examples: ['Amazon EC2'] })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const CostRecordView = Type.Object({
  date: Type.String({ description: 'Calendar day', examples: ['2026-11-27'] }),
  service: Type.String({ description: 'Service name', examples: ['Amazon EC2'] }),
  account_id: Type.String({ description: 'Cloud account ("" when unknown)', examples: ['123456789012'] }),
  region: Type.String({ description: 'Region ("" when unknown)', examples: ['eu-west-1'] }),
  tags: Type.Record(Type.String(), Type.String(), { description: 'String tags', examples: [{ team: 'platform' }] }),
  amount: Type.String({
    description: 'The stored amount as an exact decimal string with six places (never a binary float)',
    examples: ['123.456789'],
  }),
  currency: Type.String({ description: 'ISO 4217 code', examples: ['USD'] }),
  source: Type.String({ description: "Where it came from: 'api', 'import:<id>' or 'demo'", examples: ['api'] }),
  updated_at: Timestamp('When it was last written'),
});

export const CostRecordsPage = PageOf('records', CostRecordView);
