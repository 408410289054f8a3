/**
 * What the importer knows about billing export formats, without any I/O: which header belongs to
 * which format, which column holds each field of a daily cost, and which charge kind a row is.
 *
 * Column names are compared after removing a byte-order mark and surrounding whitespace, and
 * ignoring case: no two columns of one format differ only by case, and exporters (spreadsheets,
 * BigQuery views of FOCUS) are not consistent about it. Tag columns keep their exact names.
 */
import { AppError } from '../../errors/app-error.ts';

export type FormatId = 'cur2' | 'cur_legacy' | 'focus';

/** The cost column a tenant chose: FOCUS has both; a CUR import always uses unblended cost. */
export type RequestedBasis = 'billed' | 'effective';
export type CostBasis = RequestedBasis | 'unblended';

export const REQUESTED_BASES: readonly RequestedBasis[] = ['billed', 'effective'];

/**
 * Kinds of charge, reported separately in an import's summary and all summed into the day:
 * the default view of AWS Cost Explorer (unblended, credits and refunds included) and the FOCUS
 * rule that summing one cost column over every row counts each charge once.
 */
export const CHARGE_KINDS = [
  'usage',
  'savings_plan_negation',
  'discount',
  'commitment',
  'fee',
  'tax',
  'credit',
  'refund',
  'adjustment',
  'purchase',
  'other',
] as const;
export type ChargeKind = (typeof CHARGE_KINDS)[number];

/** One field of a daily cost: the columns that may hold it, most preferred first. */
interface Field {
  columns: readonly string[];
  /** The format is recognised only with one of the columns present. */
  required: boolean;
}

const needs = (...columns: string[]): Field => ({ columns, required: true });
const optional = (...columns: string[]): Field => ({ columns, required: false });

/** A known format: its name for people and the columns of each field. */
interface FormatSpec {
  id: FormatId;
  label: string;
  date: Field;
  service: Field;
  cost: Record<RequestedBasis, Field>;
  account: Field;
  region: Field;
  kind: Field;
  currency: Field;
  /** A JSON object of tags in one column. */
  tagsJson: Field;
  /** Columns with this prefix are one tag each (the rest of the name is the tag's key). */
  tagPrefix?: string;
  /** Charge kind by the kind column's value (lower case); unknown values are 'other'. */
  kinds: Readonly<Record<string, ChargeKind>>;
}

const CUR_KINDS: Readonly<Record<string, ChargeKind>> = {
  usage: 'usage',
  discountedusage: 'usage',
  savingsplancoveredusage: 'usage',
  savingsplannegation: 'savings_plan_negation',
  edpdiscount: 'discount',
  bundleddiscount: 'discount',
  privateratediscount: 'discount',
  distributordiscount: 'discount',
  discount: 'discount',
  rifee: 'commitment',
  savingsplanupfrontfee: 'commitment',
  savingsplanrecurringfee: 'commitment',
  fee: 'fee',
  tax: 'tax',
  credit: 'credit',
  refund: 'refund',
};

/** The formats, in the order they are tried and listed. */
export const FORMATS: readonly FormatSpec[] = [
  {
    id: 'cur2',
    label: 'AWS CUR 2.0',
    date: needs('line_item_usage_start_date'),
    service: needs('line_item_product_code', 'product_servicecode', 'product_product_name'),
    cost: { billed: needs('line_item_unblended_cost'), effective: needs('line_item_unblended_cost') },
    account: needs('line_item_usage_account_id'),
    region: needs('product_region_code'),
    kind: optional('line_item_line_item_type'),
    currency: optional('line_item_currency_code'),
    tagsJson: optional('resource_tags'),
    kinds: CUR_KINDS,
  },
  {
    id: 'cur_legacy',
    label: 'AWS legacy CUR',
    date: needs('lineItem/UsageStartDate'),
    service: needs('lineItem/ProductCode', 'product/servicecode', 'product/ProductName'),
    cost: { billed: needs('lineItem/UnblendedCost'), effective: needs('lineItem/UnblendedCost') },
    account: needs('lineItem/UsageAccountId'),
    region: needs('product/region'),
    kind: optional('lineItem/LineItemType'),
    currency: optional('lineItem/CurrencyCode'),
    tagsJson: optional(),
    tagPrefix: 'resourceTags/',
    kinds: CUR_KINDS,
  },
  {
    id: 'focus',
    label: 'FinOps FOCUS 1.x',
    date: needs('ChargePeriodStart'),
    service: needs('ServiceName'),
    cost: { billed: needs('BilledCost'), effective: needs('EffectiveCost') },
    account: needs('SubAccountId'),
    // Early FOCUS 1.0 exports name it Region; 1.0 and later RegionId.
    region: needs('RegionId', 'Region'),
    kind: optional('ChargeCategory'),
    currency: optional('BillingCurrency'),
    tagsJson: optional('Tags'),
    kinds: { usage: 'usage', purchase: 'purchase', tax: 'tax', credit: 'credit', adjustment: 'adjustment' },
  },
];

/** Where each field of a daily cost is in a file's rows (column indexes; -1 when absent). */
export interface ColumnMap {
  format: FormatId;
  label: string;
  basis: CostBasis;
  date: number;
  /** Candidate columns, most preferred first: the first non-empty cell wins. */
  service: readonly number[];
  cost: number;
  account: number;
  region: readonly number[];
  kind: number;
  currency: number;
  tagsJson: number;
  /** Tag columns and the key each carries. */
  tagColumns: readonly { index: number; key: string }[];
  kinds: Readonly<Record<string, ChargeKind>>;
  /** Column names for messages about a row. */
  names: { date: string; service: string; cost: string };
  /** Number of columns of the header. */
  width: number;
}

/** A header name as compared: no BOM, no surrounding whitespace, lower case. */
export function normalizeColumn(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

/** What a format lacks of a header, to name it in a refusal. */
export interface FormatMismatch {
  format: FormatId;
  label: string;
  missing: string[];
}

/**
 * Detects the format of a header row and maps its columns. `basis` is the tenant's choice of cost
 * column (FOCUS: billed by default, or effective); CUR files have one cost, unblended, and refuse
 * the effective basis rather than silently importing another figure. A header that matches no
 * format is refused naming the columns each format lacks, the closest format first.
 */
export function detectFormat(header: readonly string[], basis: RequestedBasis | undefined): ColumnMap {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = normalizeColumn(name);
    if (key !== '' && !index.has(key)) index.set(key, i);
  });
  const columnsOf = (field: Field): number[] =>
    field.columns.map((name) => index.get(name.toLowerCase()) ?? -1).filter((i) => i >= 0);
  const chosen = basis ?? 'billed';
  const mismatches: FormatMismatch[] = [];
  for (const spec of FORMATS) {
    const fields = [spec.date, spec.service, spec.cost[chosen], spec.account, spec.region];
    const missing = fields.filter((field) => columnsOf(field).length === 0).map((field) => field.columns.join(' or '));
    if (missing.length > 0) {
      mismatches.push({ format: spec.id, label: spec.label, missing });
      continue;
    }
    if (spec.id !== 'focus' && basis === 'effective') {
      throw new AppError(
        'unprocessable',
        `${spec.label} files have one cost, unblended: the effective basis is for FOCUS files`,
        { errors: [{ field: 'basis', message: `must be billed (or left out) for an ${spec.label} file` }] },
      );
    }
    const prefix = spec.tagPrefix?.toLowerCase();
    const first = (field: Field): number => columnsOf(field)[0] ?? -1;
    return {
      format: spec.id,
      label: spec.label,
      basis: spec.id === 'focus' ? chosen : 'unblended',
      date: first(spec.date),
      service: columnsOf(spec.service),
      cost: first(spec.cost[chosen]),
      account: first(spec.account),
      region: columnsOf(spec.region),
      kind: first(spec.kind),
      currency: first(spec.currency),
      tagsJson: first(spec.tagsJson),
      tagColumns:
        prefix === undefined
          ? []
          : header.flatMap((name, i) => {
              const trimmed = name.replace(/^\uFEFF/, '').trim();
              const key = trimmed.slice(prefix.length);
              return trimmed.toLowerCase().startsWith(prefix) && key !== '' ? [{ index: i, key }] : [];
            }),
      kinds: spec.kinds,
      names: { date: spec.date.columns[0]!, service: spec.service.columns[0]!, cost: spec.cost[chosen].columns[0]! },
      width: header.length,
    };
  }
  mismatches.sort((a, b) => a.missing.length - b.missing.length);
  throw new AppError(
    'unprocessable',
    `The file's header matches no known billing export (${FORMATS.map((f) => f.label).join(', ')})`,
    {
      errors: mismatches.map((m) => ({ field: 'file', message: `${m.label} lacks ${m.missing.join(', ')}` })),
      extra: { formats: mismatches.map((m) => ({ format: m.format, missing: m.missing })) },
    },
  );
}

/** The charge kind of a row from its kind cell (CUR line item type, FOCUS ChargeCategory). */
export function chargeKindOf(map: Pick<ColumnMap, 'kinds'>, cell: string | undefined): ChargeKind {
  // A file without a kind column (or a blank cell) is usage: that is what such exports list.
  if (cell === undefined || cell === '') return 'usage';
  return map.kinds[cell.trim().toLowerCase()] ?? 'other';
}
