/**
 * Master-key rotation: every sealed value of every registered column is re-sealed under the
 * ring's current key. First every value is checked to open with some key of the ring, so a value
 * that cannot be opened stops the run before anything is written. Then each batch of rows is
 * rewritten in one transaction; a row is written only while it still holds what was read
 * (compare-and-set), so a concurrent change is re-read rather than overwritten. Values already
 * under the current key are left alone: a second run re-seals nothing, and an interrupted run
 * resumes where it stopped.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import { decryptSecret, encryptSecret, sealedKeyId, SealedValueError } from './envelope.ts';
import type { KeyRing } from './key-ring.ts';
import type { ResealValue, SealedColumn } from './sealed-columns.ts';

export interface RotationProgress {
  column: string;
  phase: 'check' | 'reseal';
  /** Rows of the column handled so far in this phase. */
  rows: number;
  /** Values re-sealed so far (reseal phase). */
  resealed: number;
}

export interface RotationSummary {
  rows: number;
  /** Values re-sealed under the current key. */
  resealed: number;
  /** Values that already were under the current key. */
  alreadyCurrent: number;
}

export interface RotationOptions {
  /** Rows per read and per write transaction. */
  batchSize: number;
  onProgress(progress: RotationProgress): void;
}

/** A stored value that no key of the ring opens (or a column that does not parse); names the row, never a value. */
export class UnopenableValueError extends Error {}

type RowKey = Record<string, string>;
interface StoredRow {
  key: RowKey;
  stored: string;
}

/** How often a row changed by someone else under our feet is re-read before the run gives up. */
const MAX_ROW_RETRIES = 5;

const describeRow = (column: SealedColumn, key: RowKey) =>
  `${column.table} row ${column.rowKey.map((name) => `${name}=${key[name]}`).join(', ')}`;

/** Up to `limit` rows holding a value, in row-key order: those after `after`, or the one row `only`. */
async function readRows(
  db: Kysely<Database>,
  column: SealedColumn,
  limit: number,
  after?: RowKey,
  only?: RowKey,
): Promise<StoredRow[]> {
  const keyRefs = sql.join(column.rowKey.map((name) => sql.ref(name)));
  const keyValues = (key: RowKey) => sql.join(column.rowKey.map((name) => key[name]));
  const position = after
    ? sql`and (${keyRefs}) > (${keyValues(after)})`
    : only
      ? sql`and (${keyRefs}) = (${keyValues(only)})`
      : sql``;
  const { rows } = await sql<Record<string, string>>`
    select ${keyRefs}, ${sql.ref(column.column)} as sealed_text from ${sql.table(column.table)}
    where ${sql.ref(column.column)} is not null ${position}
    order by ${keyRefs} limit ${limit}`.execute(db);
  return rows.map((row) => ({
    key: Object.fromEntries(column.rowKey.map((name) => [name, String(row[name])])),
    stored: String(row.sealed_text),
  }));
}

/** The row's stored text passed through `reseal`; a failure names the row (never a value). */
function rewriteRow(column: SealedColumn, row: StoredRow, reseal: ResealValue): string {
  try {
    return column.rewrite(row.stored, row.key, reseal);
  } catch (error) {
    // Only our own messages are repeated: a parser's message could quote the stored text.
    const reason = error instanceof SealedValueError ? error.message : 'the stored text is not in the expected shape';
    const where = `${column.name}: ${describeRow(column, row.key)}`;
    throw new UnopenableValueError(`${where} cannot be opened with any key in the ring (${reason})`);
  }
}

interface RowChange {
  row: StoredRow;
  value: string;
  resealed: number;
  alreadyCurrent: number;
}

/** The row re-sealed under the current key, with counts; only values under another key are re-sealed. */
function resealRow(ring: KeyRing, column: SealedColumn, row: StoredRow): RowChange {
  const change = { row, value: row.stored, resealed: 0, alreadyCurrent: 0 };
  change.value = rewriteRow(column, row, (sealed, context) => {
    if (sealedKeyId(sealed) === ring.current.id) {
      change.alreadyCurrent++;
      return sealed;
    }
    change.resealed++;
    return encryptSecret(ring, decryptSecret(ring, sealed, context), context);
  });
  return change;
}

/** Pages through a column by its row key, `batchSize` rows at a time. */
async function* batches(db: Kysely<Database>, column: SealedColumn, batchSize: number): AsyncGenerator<StoredRow[]> {
  let after: RowKey | undefined;
  for (;;) {
    const rows = await readRows(db, column, batchSize, after);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]?.key;
  }
}

async function compareAndSet(
  db: Kysely<Database>,
  column: SealedColumn,
  row: StoredRow,
  value: string,
): Promise<boolean> {
  const keyMatch = sql.join(
    column.rowKey.map((name) => sql`${sql.ref(name)} = ${row.key[name]}`),
    sql` and `,
  );
  const result = await sql`update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${value}
    where ${keyMatch} and ${sql.ref(column.column)} = ${row.stored}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** Checks that every value of every column opens with the ring; throws naming the first row that does not. */
export async function checkSealedValues(
  db: Kysely<Database>,
  ring: KeyRing,
  columns: readonly SealedColumn[],
  options: RotationOptions,
): Promise<void> {
  const check: ResealValue = (sealed, context) => {
    decryptSecret(ring, sealed, context);
    return sealed;
  };
  for (const column of columns) {
    let rows = 0;
    for await (const batch of batches(db, column, options.batchSize)) {
      try {
        for (const row of batch) rewriteRow(column, row, check);
      } catch (error) {
        if (!(error instanceof UnopenableValueError)) throw error;
        throw new UnopenableValueError(`${error.message}; nothing was re-sealed`);
      }
      rows += batch.length;
      options.onProgress({ column: column.name, phase: 'check', rows, resealed: 0 });
    }
  }
}

/** Re-seals every value of `columns` under the ring's current key, after checking that all of them open. */
export async function rotateSealedValues(
  db: Kysely<Database>,
  ring: KeyRing,
  columns: readonly SealedColumn[],
  options: RotationOptions,
): Promise<RotationSummary> {
  await checkSealedValues(db, ring, columns, options);
  const summary: RotationSummary = { rows: 0, resealed: 0, alreadyCurrent: 0 };
  const settle = (change: RowChange) => {
    summary.resealed += change.resealed;
    summary.alreadyCurrent += change.alreadyCurrent;
  };
  for (const column of columns) {
    let rows = 0;
    const resealedBefore = summary.resealed;
    for await (const batch of batches(db, column, options.batchSize)) {
      const changes = batch.map((row) => resealRow(ring, column, row));
      const writes = changes.filter((change) => change.resealed > 0);
      for (const unchanged of changes.filter((change) => change.resealed === 0)) settle(unchanged);
      const conflicts =
        writes.length === 0
          ? []
          : await db.transaction().execute(async (trx) => {
              const changedMeanwhile: StoredRow[] = [];
              for (const write of writes) {
                if (await compareAndSet(trx, column, write.row, write.value)) settle(write);
                else changedMeanwhile.push(write.row);
              }
              return changedMeanwhile;
            });
      for (const conflict of conflicts) {
        const change = await resealChangedRow(db, ring, column, conflict.key);
        if (change) settle(change);
      }
      rows += batch.length;
      options.onProgress({ column: column.name, phase: 'reseal', rows, resealed: summary.resealed - resealedBefore });
    }
    summary.rows += rows;
  }
  return summary;
}

/** A row another writer changed between our read and our write: re-read and retry, a bounded number of times. */
async function resealChangedRow(
  db: Kysely<Database>,
  ring: KeyRing,
  column: SealedColumn,
  key: RowKey,
): Promise<RowChange | undefined> {
  for (let attempt = 0; attempt < MAX_ROW_RETRIES; attempt++) {
    const [row] = await readRows(db, column, 1, undefined, key);
    if (!row) return undefined;
    const change = resealRow(ring, column, row);
    if (change.resealed === 0 || (await compareAndSet(db, column, row, change.value))) return change;
  }
  throw new Error(`${column.name}: ${describeRow(column, key)} kept changing during rotation; run the command again`);
}
