/**
 * Billing export files made by the tests (no fixture is committed): a CUR 2.0, a legacy CUR and a
 * FOCUS file, each with the mess of real exports (BOM, quoted commas and JSON, scientific notation,
 * empty costs, tax / credit / refund / commitment rows, hourly rows, zone offsets) and a few bad
 * rows, with what importing them must give.
 */
import { gzipSync } from 'node:zlib';

/** The clock of every import test: the files' dates are in October and November 2026. */
export const TEST_NOW = new Date('2026-11-28T12:00:00Z');

/** One CSV line, quoting what needs it. */
export function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',');
}

/** A CSV file from a header and rows; `bom` prefixes a UTF-8 byte-order mark as Excel and AWS do. */
export function csvFile(header: readonly string[], rows: readonly (readonly string[])[], bom = false): string {
  return `${bom ? '\uFEFF' : ''}${[header, ...rows].map(csvLine).join('\n')}\n`;
}

export const gzip = (text: string): Buffer => gzipSync(Buffer.from(text));

/** A realistic CUR 2.0 header (a subset of its 125 columns, in AWS's order). */
export const CUR2_HEADER = [
  'identity_line_item_id',
  'identity_time_interval',
  'bill_payer_account_id',
  'line_item_usage_account_id',
  'line_item_line_item_type',
  'line_item_usage_start_date',
  'line_item_usage_end_date',
  'line_item_product_code',
  'line_item_usage_type',
  'line_item_operation',
  'line_item_resource_id',
  'line_item_usage_amount',
  'line_item_currency_code',
  'line_item_unblended_rate',
  'line_item_unblended_cost',
  'line_item_line_item_description',
  'product_product_name',
  'product_servicecode',
  'product_region_code',
  'pricing_unit',
  'resource_tags',
] as const;

type Cur2Column = (typeof CUR2_HEADER)[number];

/** A CUR 2.0 row: the given cells, plausible values elsewhere. */
export function cur2Row(cells: Partial<Record<Cur2Column, string>>): string[] {
  const defaults: Record<Cur2Column, string> = {
    identity_line_item_id: 'id',
    identity_time_interval: '2026-10-01T00:00:00Z/2026-10-01T01:00:00Z',
    bill_payer_account_id: '999999999999',
    line_item_usage_account_id: '111111111111',
    line_item_line_item_type: 'Usage',
    line_item_usage_start_date: '2026-10-01T00:00:00.000Z',
    line_item_usage_end_date: '2026-10-01T01:00:00.000Z',
    line_item_product_code: 'AmazonEC2',
    line_item_usage_type: 'BoxUsage:m5.large',
    line_item_operation: 'RunInstances',
    line_item_resource_id: 'i-0abc',
    line_item_usage_amount: '1',
    line_item_currency_code: 'USD',
    line_item_unblended_rate: '0.096',
    line_item_unblended_cost: '0',
    line_item_line_item_description: '$0.096 per On Demand Linux, m5.large Instance Hour',
    product_product_name: 'Amazon Elastic Compute Cloud',
    product_servicecode: 'AmazonEC2',
    product_region_code: 'us-east-1',
    pricing_unit: 'Hrs',
    resource_tags: '',
  };
  return CUR2_HEADER.map((column) => cells[column] ?? defaults[column]);
}

const WEB_PROD = '{"user_team":"web","user_env":"prod"}';

/**
 * The messy CUR 2.0 file: every case of the issue plus six bad rows. The bad rows are on lines
 * 16–21 (1 is the header); the last one's description spans two lines, so it starts on line 21.
 */
export function messyCur2(): string {
  const rows = [
    cur2Row({ line_item_unblended_cost: '1.5', resource_tags: WEB_PROD }),
    cur2Row({
      line_item_usage_start_date: '2026-10-01T01:00:00.000Z',
      line_item_unblended_cost: '1.81E-8',
      resource_tags: WEB_PROD,
    }),
    cur2Row({
      line_item_usage_start_date: '2026-10-01T23:00:00Z',
      line_item_unblended_cost: '2.5',
      resource_tags: '{"user_team":"web","user_env":"staging"}',
    }),
    // Empty cost: imported as zero and counted.
    cur2Row({
      line_item_product_code: 'AmazonS3',
      line_item_usage_start_date: '2026-10-01 10:00:00',
      line_item_unblended_cost: '',
    }),
    cur2Row({
      line_item_line_item_type: 'Tax',
      line_item_product_code: 'AmazonEC2',
      product_region_code: '',
      line_item_unblended_cost: '0.4',
    }),
    cur2Row({
      line_item_line_item_type: 'Credit',
      line_item_usage_start_date: '2026-10-02T00:00:00Z',
      line_item_unblended_cost: '-1.0',
    }),
    cur2Row({
      line_item_line_item_type: 'Refund',
      line_item_product_code: 'AmazonS3',
      line_item_usage_start_date: '2026-10-02T00:00:00Z',
      line_item_unblended_cost: '-0.25',
    }),
    cur2Row({
      line_item_line_item_type: 'SavingsPlanCoveredUsage',
      line_item_usage_start_date: '2026-10-02T05:00:00Z',
      line_item_unblended_cost: '3.0',
    }),
    cur2Row({
      line_item_line_item_type: 'SavingsPlanNegation',
      line_item_usage_start_date: '2026-10-02T05:00:00Z',
      line_item_unblended_cost: '-3.0',
    }),
    cur2Row({
      line_item_line_item_type: 'SavingsPlanRecurringFee',
      line_item_product_code: 'ComputeSavingsPlans',
      line_item_usage_start_date: '2026-10-02T00:00:00Z',
      product_region_code: '',
      line_item_unblended_cost: '2.0',
    }),
    cur2Row({
      line_item_line_item_type: 'RIFee',
      line_item_product_code: 'AmazonRDS',
      line_item_usage_account_id: '222222222222',
      line_item_unblended_cost: '10',
    }),
    // 01:30 at +02:00 is 23:30 UTC the day before.
    cur2Row({
      line_item_usage_start_date: '2026-10-02T01:30:00+02:00',
      line_item_unblended_cost: '0.5',
      resource_tags: '{"user_team":"web"}',
    }),
    // No product code: the service code names the service.
    cur2Row({
      line_item_product_code: '',
      product_servicecode: 'AWSDataTransfer',
      line_item_usage_start_date: '2026-10-02T00:00:00Z',
      line_item_unblended_cost: '0.09',
    }),
    cur2Row({
      line_item_line_item_type: 'EdpDiscount',
      line_item_usage_start_date: '2026-10-02T00:00:00Z',
      line_item_unblended_cost: '-0.1',
    }),
    // Bad rows, lines 16–21.
    cur2Row({ line_item_unblended_cost: '12,5' }),
    cur2Row({ line_item_usage_start_date: 'yesterday' }),
    cur2Row({ line_item_usage_start_date: '2027-03-01T00:00:00Z', line_item_unblended_cost: '1' }),
    cur2Row({ line_item_currency_code: 'EUR', line_item_unblended_cost: '1' }),
    cur2Row({
      line_item_product_code: '',
      product_servicecode: '',
      product_product_name: '',
      line_item_unblended_cost: '1',
    }),
    cur2Row({ line_item_line_item_description: 'spans\ntwo lines', line_item_unblended_cost: 'n/a' }),
  ];
  return csvFile(CUR2_HEADER, rows, true);
}

/** What {@link messyCur2} imports as: day × service × account × region → amount in micro-units. */
export const MESSY_CUR2_COSTS: Record<string, number> = {
  // 1.5 + 0.0000000181 + 2.5 + 0.5 (the +02:00 row) = 4.5000000181 → 4.500000
  '2026-10-01|AmazonEC2|111111111111|us-east-1': 4_500_000,
  '2026-10-01|AmazonS3|111111111111|us-east-1': 0,
  '2026-10-01|AmazonEC2|111111111111|': 400_000,
  '2026-10-01|AmazonRDS|222222222222|us-east-1': 10_000_000,
  // -1.0 credit + 3.0 covered usage - 3.0 negation - 0.1 discount
  '2026-10-02|AmazonEC2|111111111111|us-east-1': -1_100_000,
  '2026-10-02|AmazonS3|111111111111|us-east-1': -250_000,
  '2026-10-02|ComputeSavingsPlans|111111111111|': 2_000_000,
  '2026-10-02|AWSDataTransfer|111111111111|us-east-1': 90_000,
};

/** The rejections of {@link messyCur2}, by line. */
export const MESSY_CUR2_REJECTED = [
  { line: 16, reason: 'line_item_unblended_cost is not a number: "12,5"' },
  { line: 17, reason: 'line_item_usage_start_date is not a date: "yesterday"' },
  { line: 18, reason: 'line_item_usage_start_date "2027-03-01T00:00:00Z" is in the future' },
  { line: 19, reason: "currency EUR differs from this import's currency USD" },
  { line: 20, reason: 'line_item_product_code is empty' },
  { line: 21, reason: 'line_item_unblended_cost is not a number: "n/a"' },
];

/** A legacy CUR header: slash-separated names and one column per user tag. */
export const LEGACY_HEADER = [
  'identity/LineItemId',
  'bill/PayerAccountId',
  'lineItem/UsageAccountId',
  'lineItem/LineItemType',
  'lineItem/UsageStartDate',
  'lineItem/UsageEndDate',
  'lineItem/ProductCode',
  'lineItem/UsageType',
  'lineItem/CurrencyCode',
  'lineItem/UnblendedCost',
  'lineItem/LineItemDescription',
  'product/ProductName',
  'product/region',
  'resourceTags/user:team',
  'resourceTags/user:Cost Center',
];

/** A gzip-worthy legacy CUR file: hourly rows of two days, tax and a credit, tags in columns. */
export function legacyCur(): string {
  const row = (type: string, start: string, product: string, cost: string, team: string, center: string) => [
    'id',
    '999999999999',
    '333333333333',
    type,
    start,
    start,
    product,
    'usage',
    'USD',
    cost,
    'Amazon Simple Storage Service, requests',
    'Amazon Simple Storage Service',
    product === 'AmazonS3' ? 'eu-west-1' : '',
    team,
    center,
  ];
  const rows: string[][] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const at = `2026-10-0${1 + (hour % 2)}T${String(hour).padStart(2, '0')}:00:00Z`;
    rows.push(row('Usage', at, 'AmazonS3', '0.125', 'data', hour === 5 ? 'cc-2' : 'cc-1'));
  }
  rows.push(row('Tax', '2026-10-01T00:00:00Z', 'AWSSupport', '1.20', '', ''));
  rows.push(row('Credit', '2026-10-02T00:00:00Z', 'AmazonS3', '-0.5', 'data', 'cc-1'));
  return csvFile(LEGACY_HEADER, rows);
}

/** What {@link legacyCur} imports as. */
export const LEGACY_COSTS: Record<string, number> = {
  '2026-10-01|AmazonS3|333333333333|eu-west-1': 1_500_000,
  '2026-10-02|AmazonS3|333333333333|eu-west-1': 1_000_000,
  '2026-10-01|AWSSupport|333333333333|': 1_200_000,
};

/** A FOCUS 1.2 header (a subset, in the spec's order). */
export const FOCUS_HEADER = [
  'BilledCost',
  'BillingAccountId',
  'BillingCurrency',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'EffectiveCost',
  'ListCost',
  'ProviderName',
  'RegionId',
  'RegionName',
  'ServiceCategory',
  'ServiceName',
  'SubAccountId',
  'Tags',
];

/** A FOCUS file: usage at both bases, a commitment purchase, tax, a credit and an adjustment. */
export function focusFile(): string {
  const row = (c: {
    billed: string;
    effective: string;
    category: string;
    frequency?: string;
    start: string;
    service: string;
    region?: string;
    tags?: string;
  }) => [
    c.billed,
    'ba-1',
    'EUR',
    c.category,
    '',
    'Compute, memory-optimised',
    c.frequency ?? 'Usage-Based',
    c.start,
    c.start,
    c.effective,
    c.billed,
    'Microsoft',
    c.region ?? 'westeurope',
    'West Europe',
    'Compute',
    c.service,
    'sub-1',
    c.tags ?? '{"env":"prod","owner":"a, b"}',
  ];
  return csvFile(FOCUS_HEADER, [
    row({
      billed: '4.00',
      effective: '3.00',
      category: 'Usage',
      start: '2026-11-01T00:00:00Z',
      service: 'Virtual Machines',
    }),
    row({
      billed: '0',
      effective: '1.5',
      category: 'Usage',
      start: '2026-11-01T12:00:00Z',
      service: 'Virtual Machines',
    }),
    row({
      billed: '100',
      effective: '0',
      category: 'Purchase',
      frequency: 'One-Time',
      start: '2026-11-01T00:00:00Z',
      service: 'Reservations',
      region: '',
      tags: '',
    }),
    row({
      billed: '2.1E+0',
      effective: '2.1',
      category: 'Tax',
      start: '2026-11-02T00:00:00Z',
      service: 'Virtual Machines',
    }),
    row({
      billed: '-5',
      effective: '-5',
      category: 'Credit',
      start: '2026-11-02T00:00:00Z',
      service: 'Virtual Machines',
    }),
    row({
      billed: '0.25',
      effective: '0.25',
      category: 'Adjustment',
      start: '2026-11-02T00:00:00Z',
      service: 'Storage',
    }),
  ]);
}

/** What {@link focusFile} imports as, per basis. */
export const FOCUS_COSTS: Record<'billed' | 'effective', Record<string, number>> = {
  billed: {
    '2026-11-01|Virtual Machines|sub-1|westeurope': 4_000_000,
    '2026-11-01|Reservations|sub-1|': 100_000_000,
    '2026-11-02|Virtual Machines|sub-1|westeurope': -2_900_000,
    '2026-11-02|Storage|sub-1|westeurope': 250_000,
  },
  effective: {
    '2026-11-01|Virtual Machines|sub-1|westeurope': 4_500_000,
    '2026-11-01|Reservations|sub-1|': 0,
    '2026-11-02|Virtual Machines|sub-1|westeurope': -2_900_000,
    '2026-11-02|Storage|sub-1|westeurope': 250_000,
  },
};

/** The 1×1 PNG every binary-refusal test sends. */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
