import { Type } from 'typebox';
import type { Static } from 'typebox';
import { PageOf, PageQuery } from '../../http/pagination.ts';
import { NullableNumber, NullableString, NullableTimestamp, Timestamp } from '../../http/schema-types.ts';

export const TAGS = ['costs'];

const IMPORT_ID_EXAMPLE = 'imp_019ac9d2a1b07c3e8f4a2b6c9d0e1f23';

const Basis = Type.Enum(['billed', 'effective'], {
  description:
    'FOCUS cost column: billed (BilledCost, the default) or effective (EffectiveCost, commitments amortised). CUR files always use unblended cost and refuse effective.',
  examples: ['billed'],
});

/** `?basis=&filename=` of the upload (the raw-body form; multipart sends them as fields). */
export const ImportQuery = Type.Object({
  basis: Type.Optional(Basis),
  filename: Type.Optional(
    Type.String({
      maxLength: 255,
      description: 'The file name, for the import list',
      examples: ['cur-2026-10.csv.gz'],
    }),
  ),
});

/** `{id}` of an import. */
export const ImportParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'Import id', examples: [IMPORT_ID_EXAMPLE] }),
});

export const ImportListQuery = Type.Object(PageQuery);

const fileField = Type.String({
  format: 'binary',
  description: 'The billing export: CSV, or gzip-compressed CSV (detected from its bytes, not its name)',
});

/**
 * The upload body, for the OpenAPI document and the validator: schemas without a `type` pass the
 * (unparsed) body through, the handler streams it.
 */
export const UploadBody = {
  content: {
    'multipart/form-data': {
      schema: {
        description: 'The file in the field `file`; optionally `basis` (billed or effective) before it',
        properties: { file: fileField, basis: Basis },
        required: ['file'],
      },
    },
    'text/csv': { schema: { description: 'The CSV file as the body' } },
    'application/gzip': { schema: { description: 'The gzip-compressed CSV file as the body' } },
    'application/octet-stream': { schema: { description: 'The file as the body (CSV or gzip)' } },
  },
};

const RejectedRow = Type.Object({
  line: Type.Integer({ description: 'Physical line of the file (1 is the header)', examples: [1042] }),
  reason: Type.String({
    description: 'Why the row was not imported',
    examples: ['line_item_unblended_cost is not a number: "12,5"'],
  }),
});

const ImportError = Type.Object({
  code: Type.String({ description: 'Stable error code', examples: ['unprocessable'] }),
  message: Type.String({
    description: 'What was wrong with the file',
    examples: ["The file's header matches no known billing export (AWS CUR 2.0, AWS legacy CUR, FinOps FOCUS 1.x)"],
  }),
  errors: Type.Array(
    Type.Object({
      field: Type.String({ description: 'The field', examples: ['file'] }),
      message: Type.String({ description: 'The problem', examples: ['AWS CUR 2.0 lacks product_region_code'] }),
    }),
    { description: 'Details, e.g. the columns each format lacks (closest format first)' },
  ),
});

const Summary = Type.Object(
  {
    currency: Type.String({ description: 'ISO 4217 currency of the imported costs', examples: ['USD'] }),
    total: Type.String({ description: 'Exact sum of every imported row', examples: ['15.6400000181'] }),
    charge_kinds: Type.Record(Type.String(), Type.String(), {
      description:
        'Exact sum per charge kind (usage, savings_plan_negation, discount, commitment, fee, tax, credit, refund, adjustment, purchase, other); all are included in the daily costs',
      examples: [{ usage: '7.59', tax: '0.4', credit: '-1' }],
    }),
    rows_empty_cost: Type.Integer({
      description: 'Imported rows whose cost cell was empty (counted as 0)',
      examples: [0],
    }),
    rows_unreadable_tags: Type.Integer({
      description: 'Imported rows whose tags were not a JSON object (imported without tags)',
      examples: [0],
    }),
    first_date: NullableString('First day with imported cost (YYYY-MM-DD)', { examples: ['2026-10-01'] }),
    last_date: NullableString('Last day with imported cost (YYYY-MM-DD)', { examples: ['2026-10-31'] }),
    records: Type.Integer({ description: 'Day × service × account × region records written', examples: [1240] }),
  },
  { description: 'The outcome, once the import succeeded' },
);

export const ImportView = Type.Object({
  id: Type.String({ description: 'Import id', examples: [IMPORT_ID_EXAMPLE] }),
  status: Type.Enum(['queued', 'running', 'succeeded', 'failed'], {
    description: 'Where the import is',
    examples: ['running'],
  }),
  filename: NullableString('The uploaded file name', { examples: ['cur-2026-10.csv.gz'] }),
  format: NullableString('Detected format: cur2, cur_legacy or focus (null until read)', { examples: ['cur2'] }),
  basis: Type.String({
    description: 'Cost column used: unblended (CUR), billed or effective (FOCUS)',
    examples: ['unblended'],
  }),
  bytes_total: NullableNumber('integer', 'Size of the uploaded file in bytes'),
  bytes_read: Type.Integer({ description: 'Bytes of the file read so far', examples: [52428800] }),
  progress_percent: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'bytes_read of bytes_total',
    examples: [42],
  }),
  rows_read: Type.Integer({ description: 'Data rows read so far', examples: [1000000] }),
  rows_imported: Type.Integer({ description: 'Rows added to the daily costs', examples: [999994] }),
  rows_rejected: Type.Integer({ description: 'Rows not imported (see rejected)', examples: [6] }),
  rejected: Type.Array(RejectedRow, { description: 'The first 100 rejected rows with line and reason' }),
  days_written: Type.Integer({ description: 'Distinct days written', examples: [31] }),
  summary: Type.Union([Summary, Type.Null()], { description: 'The outcome, once succeeded' }),
  error: Type.Union([ImportError, Type.Null()], { description: 'Why the import failed, once failed' }),
  created_at: Timestamp('When the file was uploaded'),
  started_at: NullableTimestamp('When the job started reading it'),
  finished_at: NullableTimestamp('When the import ended'),
});

export type ImportViewType = Static<typeof ImportView>;

export const ImportPage = PageOf('imports', ImportView);
