/**
 * Reads of stored cost records for the records API: one tenant's rows in key order, a page at a
 * time. The key (date, service, account_id, region) is the table's primary key and has no single
 * id column, so the cursor carries the whole key and pages with a row-value comparison; the page
 * shape is the shared one (database/pagination.ts).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../database/schema.ts';
import type { Page } from '../../database/pagination.ts';
import { invalidField } from '../../errors/app-error.ts';
import type { TenantScope } from '../../identity/auth-context.ts';
import { withinScope } from '../../identity/scope.ts';
import type { CostRecordsTable } from '../tables.ts';

export type CostRecordRow = Selectable<CostRecordsTable>;

/** Filters of the list: an inclusive date range and one service. */
export interface RecordFilter {
  from?: string | undefined;
  to?: string | undefined;
  service?: string | undefined;
}

type Key = [date: string, service: string, accountId: string, region: string];

function encodeCursor(row: CostRecordRow): string {
  return Buffer.from(JSON.stringify([row.date, row.service, row.account_id, row.region])).toString('base64url');
}

function decodeCursor(cursor: string): Key {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 4 && parsed.every((part) => typeof part === 'string'))
      return parsed as Key;
  } catch {
    // fall through to the error below
  }
  throw invalidField('cursor', 'is not a cursor returned by this list');
}

/** Lists the scope's records ordered by date, service, account and region. */
export async function listCostRecords(
  db: Kysely<Database>,
  scope: TenantScope,
  filter: RecordFilter,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<CostRecordRow>> {
  const limit = page.limit ?? 50;
  let query = withinScope(db.selectFrom('cost_records').selectAll(), scope, 'customer_id');
  if (filter.from) query = query.where('date', '>=', filter.from);
  if (filter.to) query = query.where('date', '<=', filter.to);
  if (filter.service) query = query.where('service', '=', filter.service);
  if (page.cursor) {
    const key = decodeCursor(page.cursor);
    query = query.where((eb) => eb(eb.refTuple('date', 'service', 'account_id', 'region'), '>', eb.tuple(...key)));
  }
  const rows = await query
    .orderBy('date')
    .orderBy('service')
    .orderBy('account_id')
    .orderBy('region')
    .limit(limit + 1)
    .execute();
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { items, next_cursor: hasMore && last ? encodeCursor(last) : null, has_more: hasMore };
}
