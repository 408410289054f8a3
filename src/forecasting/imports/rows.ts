/**
 * The rows of a billing export, one at a time, into daily aggregates (pure: no I/O). Each row is
 * either added to its day × service × account × region and charge kind (exactly, see exact-sum.ts;
 * rounded to micro-units once per aggregate at the end) or rejected with its line and reason. Memory is bounded by the
 * number of aggregates, never by the number of rows.
 */
import type { DailyCost } from '../records/store.ts';
import { toMicros, ZERO } from '../money.ts';
import type { Decimal } from '../money.ts';
import { parseUsageStart } from './dates.ts';
import { ExactSum } from './exact-sum.ts';
import type { UsageStart } from './dates.ts';
import { CHARGE_KINDS, chargeKindOf } from './formats.ts';
import type { ChargeKind, ColumnMap, CostBasis, FormatId } from './formats.ts';

/** Rejected rows kept with their reason; the rest are only counted. */
export const REJECTED_SAMPLE_SIZE = 100;
/** A usage start later than this after now is refused: no bill charges for the day after tomorrow. */
const FUTURE_TOLERANCE_MS = 86_400_000;
/** Currency when the file names none and the tenant has none yet (AWS bills in USD unless told otherwise). */
export const DEFAULT_CURRENCY = 'USD';
const CURRENCY = /^[A-Z]{3}$/;
/** Longest cell quoted back in a rejection reason. */
const QUOTED_CELL_CHARS = 40;

/** A row that was not imported: its physical line in the file (1 = the header) and why. */
export interface RejectedRow {
  line: number;
  reason: string;
}

/** What an import did, for its summary (amounts as exact decimal text). */
export interface ImportReport {
  format: FormatId;
  basis: CostBasis;
  currency: string;
  rows_read: number;
  rows_imported: number;
  rows_rejected: number;
  /** The first {@link REJECTED_SAMPLE_SIZE} rejected rows. */
  rejected: RejectedRow[];
  /** Imported rows whose cost cell was empty: counted as zero. */
  rows_empty_cost: number;
  /** Imported rows whose tags cell was not a JSON object: imported without tags. */
  rows_unreadable_tags: number;
  /** Sum of each charge kind that occurred, exact. */
  charge_kinds: Partial<Record<ChargeKind, string>>;
  /** Sum of every imported row, exact. */
  total: string;
  first_date: string | null;
  last_date: string | null;
  /** Distinct days and day × service × account × region records written. */
  days: number;
  records: number;
}

interface Aggregate {
  date: string;
  service: string;
  accountId: string;
  region: string;
  sums: Partial<Record<ChargeKind, ExactSum>>;
  /** The tags every row of the aggregate agrees on. */
  tags: Record<string, string>;
  /** The raw tags of the last row merged: most rows repeat it, and then nothing needs parsing. */
  tagsText: string | null;
}

const quote = (cell: string): string =>
  JSON.stringify(cell.length > QUOTED_CELL_CHARS ? `${cell.slice(0, QUOTED_CELL_CHARS)}…` : cell);

/** A tags cell as a string map, or null when it is not a JSON object. */
function parseTags(text: string): Record<string, string> | null {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (value !== null && value !== '' && typeof value !== 'object') tags[key] = String(value);
    }
    return tags;
  } catch {
    return null;
  }
}

/** Builds the aggregates of one export from its rows. */
export class ExportRows {
  private readonly aggregates = new Map<string, Aggregate>();
  private readonly kinds = new Map<string, ChargeKind>();
  private readonly rejected: RejectedRow[] = [];
  private rowsRead = 0;
  private rowsImported = 0;
  private rowsRejected = 0;
  private rowsEmptyCost = 0;
  private rowsUnreadableTags = 0;
  private currency: string | undefined;
  private readonly latestMs: number;
  // Hourly exports repeat a timestamp for many rows in a row: one parse serves them all.
  private lastDateText = '';
  private lastDate: UsageStart | null = null;

  constructor(
    private readonly map: ColumnMap,
    options: { currency: string | undefined; now: Date },
  ) {
    this.currency = options.currency;
    this.latestMs = options.now.getTime() + FUTURE_TOLERANCE_MS;
  }

  /** Adds one data row (`line`: the physical line it starts on). */
  add(record: readonly string[], line: number): void {
    this.rowsRead += 1;
    const reason = this.addRow(record);
    if (reason === null) {
      this.rowsImported += 1;
      return;
    }
    this.rowsRejected += 1;
    if (this.rejected.length < REJECTED_SAMPLE_SIZE) this.rejected.push({ line, reason });
  }

  /** Adds a row, or says why it cannot be used. */
  private addRow(record: readonly string[]): string | null {
    const map = this.map;
    if (record.length !== map.width) return `has ${record.length} fields; the header has ${map.width}`;

    const dateText = record[map.date]!;
    if (dateText !== this.lastDateText) {
      this.lastDateText = dateText;
      this.lastDate = parseUsageStart(dateText);
    }
    const start = this.lastDate;
    if (dateText.trim() === '') return `${map.names.date} is empty`;
    if (start === null) return `${map.names.date} is not a date: ${quote(dateText)}`;
    if (start.epochMs > this.latestMs) return `${map.names.date} ${quote(dateText)} is in the future`;

    let service = '';
    for (const index of map.service) {
      service = record[index]!.trim();
      if (service !== '') break;
    }
    if (service === '') return `${map.names.service} is empty`;

    if (map.currency >= 0) {
      const cell = record[map.currency]!.trim().toUpperCase();
      if (cell !== '') {
        if (!CURRENCY.test(cell)) return `currency ${quote(cell)} is not an ISO 4217 code`;
        this.currency ??= cell;
        if (cell !== this.currency) return `currency ${cell} differs from this import's currency ${this.currency}`;
      }
    }

    let region = '';
    for (const index of map.region) {
      region = record[index]!.trim();
      if (region !== '') break;
    }
    const accountId = map.account >= 0 ? record[map.account]!.trim() : '';
    const kind = this.kindOf(map.kind >= 0 ? record[map.kind]! : '');
    const key = `${start.day}\u0000${service}\u0000${accountId}\u0000${region}`;
    let aggregate = this.aggregates.get(key);
    const created = aggregate === undefined;
    aggregate ??= { date: start.day, service, accountId, region, sums: {}, tags: {}, tagsText: null };
    const costText = record[map.cost]!;
    const existing = aggregate.sums[kind];
    const sum = existing ?? new ExactSum();
    // Nothing of a rejected row stays: its sum and aggregate are kept only once the cost is read.
    if (costText === '' || costText.trim() === '') {
      this.rowsEmptyCost += 1;
    } else if (!sum.addText(costText)) {
      return `${map.names.cost} is not a number: ${quote(costText)}`;
    }
    if (existing === undefined) aggregate.sums[kind] = sum;
    if (created) this.aggregates.set(key, aggregate);
    this.mergeTags(aggregate, record);
    return null;
  }

  /** The charge kind of a kind cell; the few distinct cells of a file are looked up once each. */
  private kindOf(cell: string): ChargeKind {
    let kind = this.kinds.get(cell);
    if (kind === undefined) {
      kind = chargeKindOf(this.map, cell);
      this.kinds.set(cell, kind);
    }
    return kind;
  }

  /** Narrows the aggregate's tags to those this row has too (the first row sets them). */
  private mergeTags(aggregate: Aggregate, record: readonly string[]): void {
    const map = this.map;
    let text: string;
    if (map.tagsJson >= 0) text = record[map.tagsJson]!;
    else if (map.tagColumns.length > 0) text = map.tagColumns.map((column) => record[column.index]).join('\u0001');
    else return;
    const first = aggregate.tagsText === null;
    if (text === aggregate.tagsText) return;
    aggregate.tagsText = text;
    let tags: Record<string, string> | null;
    if (map.tagsJson >= 0) {
      tags = parseTags(text);
      if (tags === null) this.rowsUnreadableTags += 1;
    } else {
      tags = {};
      for (const column of map.tagColumns) {
        const value = record[column.index]!.trim();
        if (value !== '') tags[column.key] = value;
      }
    }
    if (first) {
      aggregate.tags = tags ?? {};
      return;
    }
    for (const [key, value] of Object.entries(aggregate.tags)) if (tags?.[key] !== value) delete aggregate.tags[key];
  }

  /** The daily costs (each rounded to micro-units once) and the report. */
  finish(): { costs: DailyCost[]; currency: string; report: ImportReport } {
    const costs: DailyCost[] = [];
    const kinds: Partial<Record<ChargeKind, Decimal>> = {};
    let total: Decimal = ZERO;
    const days = new Set<string>();
    let first: string | null = null;
    let last: string | null = null;
    for (const aggregate of this.aggregates.values()) {
      let sum: Decimal = ZERO;
      for (const [kind, exact] of Object.entries(aggregate.sums) as [ChargeKind, ExactSum][]) {
        const amount = exact.value();
        sum = sum.plus(amount);
        kinds[kind] = (kinds[kind] ?? ZERO).plus(amount);
      }
      total = total.plus(sum);
      days.add(aggregate.date);
      if (first === null || aggregate.date < first) first = aggregate.date;
      if (last === null || aggregate.date > last) last = aggregate.date;
      costs.push({
        date: aggregate.date,
        service: aggregate.service,
        accountId: aggregate.accountId,
        region: aggregate.region,
        tags: aggregate.tags,
        amountMicros: toMicros(sum),
      });
    }
    costs.sort((a, b) => (a.date === b.date ? 0 : a.date < b.date ? -1 : 1));
    const currency = this.currency ?? DEFAULT_CURRENCY;
    const exact = (amount: Decimal): string => amount.toFixed();
    return {
      costs,
      currency,
      report: {
        format: this.map.format,
        basis: this.map.basis,
        currency,
        rows_read: this.rowsRead,
        rows_imported: this.rowsImported,
        rows_rejected: this.rowsRejected,
        rejected: this.rejected,
        rows_empty_cost: this.rowsEmptyCost,
        rows_unreadable_tags: this.rowsUnreadableTags,
        charge_kinds: Object.fromEntries(
          CHARGE_KINDS.flatMap((kind) => (kinds[kind] === undefined ? [] : [[kind, exact(kinds[kind])]])),
        ),
        total: exact(total),
        first_date: first,
        last_date: last,
        days: days.size,
        records: costs.length,
      },
    };
  }
}
