import { sql } from 'kysely';
import type { Expression, RawBuilder, SelectQueryBuilder, SqlBool } from 'kysely';
import { invalidField } from '../errors/app-error.ts';

/** How a list is ordered: a sort expression (with a stable name) plus the id as tiebreaker. */
export interface SortKey {
  /** Name bound into the cursor, so a cursor from another sort is rejected. */
  name: string;
  expression: RawBuilder<unknown> | Expression<unknown>;
  idColumn: string;
  direction: 'asc' | 'desc';
}

interface DecodedCursor {
  value: string | number;
  id: string;
}

// Cursors come back from clients: accept only what this module could have written.
const CURSOR_ID = /^[A-Za-z0-9_-]{1,100}$/;
const CURSOR_TEXT = /^[\x20-\x7e]{0,100}$/;

function decodeCursor(cursor: string, sortName: string): DecodedCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      parsed[0] === sortName &&
      typeof parsed[2] === 'string' &&
      CURSOR_ID.test(parsed[2])
    ) {
      const value: unknown = parsed[1];
      if (
        (typeof value === 'string' && CURSOR_TEXT.test(value)) ||
        (typeof value === 'number' && Number.isFinite(value))
      ) {
        return { value, id: parsed[2] };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw invalidField('cursor', 'is not a cursor returned by this list with this sort');
}

/**
 * Applies cursor, order and limit to a query whose filters are already in its WHERE clause,
 * so pages are never short while more rows exist. Fetches one extra row to learn `has_more`.
 */
export function pageQuery<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  sort: SortKey,
  page: { limit?: number | undefined; cursor?: string | undefined },
): SelectQueryBuilder<DB, TB, O> {
  const id = sql.ref(sort.idColumn);
  let paged = query;
  if (page.cursor) {
    const { value, id: lastId } = decodeCursor(page.cursor, sort.name);
    const op = sql.raw(sort.direction === 'asc' ? '>' : '<');
    paged = paged.where(
      sql<SqlBool>`(${sort.expression} ${op} ${value} or (${sort.expression} = ${value} and ${id} ${op} ${lastId}))`,
    );
  }
  const direction = sql.raw(sort.direction);
  return paged
    .orderBy(sql`${sort.expression} ${direction}`)
    .orderBy(sql`${id} ${direction}`)
    .limit((page.limit ?? 50) + 1);
}

/** Cuts the extra row and builds `next_cursor` from the last row's sort value and id. */
export function toPage<Row>(
  rows: Row[],
  sort: Pick<SortKey, 'name'>,
  limit: number | undefined,
  keyOf: (row: Row) => { value: string | number; id: string },
): Page<Row> {
  const size = limit ?? 50;
  const hasMore = rows.length > size;
  const items = hasMore ? rows.slice(0, size) : rows;
  const last = items[items.length - 1];
  const nextCursor =
    hasMore && last !== undefined
      ? Buffer.from(JSON.stringify([sort.name, keyOf(last).value, keyOf(last).id])).toString('base64url')
      : null;
  return { items, next_cursor: nextCursor, has_more: hasMore };
}

/** A page as services return it (see {@link toPage}). */
export interface Page<Row> {
  items: Row[];
  next_cursor: string | null;
  has_more: boolean;
}
