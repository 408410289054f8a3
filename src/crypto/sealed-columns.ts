import type { Database } from '../database/schema.ts';

/** Returns a sealed value re-sealed (or just checked) under the key ring, bound to the same context. */
export type ResealValue = (sealed: string, context: string) => string;

/**
 * A column holding sealed values, declared by the feature that writes it (beside its sealing
 * code, so the context is spelled once) and listed in `server/sealed-columns.ts`, so
 * `securebase admin rotate-master-key` re-seals it.
 */
export interface SealedColumn {
  /** What the column holds, for progress output and errors, e.g. "webhook signing secrets". */
  readonly name: string;
  readonly table: string;
  readonly column: string;
  /** Primary-key columns (text): rotation pages through the table by them and names a row with them. */
  readonly rowKey: readonly string[];
  /** The stored text with every sealed value in it passed through `reseal` (a column may hold JSON of several). */
  rewrite(stored: string, row: Readonly<Record<string, string>>, reseal: ResealValue): string;
}

/** Declares a sealed column; the table and column names are checked against the schema. */
export function sealedColumn<T extends keyof Database & string, K extends keyof Database[T] & string>(definition: {
  name: string;
  table: T;
  column: keyof Database[T] & string;
  rowKey: readonly K[];
  rewrite(stored: string, row: Readonly<Record<K, string>>, reseal: ResealValue): string;
}): SealedColumn {
  return definition;
}
