/**
 * The SQL of import rows. Every query starts from the tenant: another tenant's import is never
 * found, exactly like a missing one.
 */
import { sql } from 'kysely';
import type { Selectable, Updateable } from 'kysely';
import { pageQuery, toPage } from '../../database/pagination.ts';
import type { Page, SortKey } from '../../database/pagination.ts';
import type { Executor } from '../../jobs/types.ts';
import type { ImportId } from '../ids.ts';
import type { CostImportsTable } from '../tables.ts';

/** An import row as stored. */
export type CostImport = Selectable<CostImportsTable>;

// Ids are UUIDv7 (time-ordered): newest first is id descending.
const NEWEST_FIRST: SortKey = { name: 'created', expression: sql.ref('id'), idColumn: 'id', direction: 'desc' };

/** Import rows of one tenant. */
export function importRepository(db: Executor, customerId: string) {
  return {
    async insert(row: CostImport): Promise<void> {
      await db.insertInto('cost_imports').values(row).execute();
    },

    async find(id: ImportId): Promise<CostImport | undefined> {
      return db
        .selectFrom('cost_imports')
        .selectAll()
        .where('customer_id', '=', customerId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /** The tenant's imports, newest first. */
    async list(page: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<CostImport>> {
      const rows = await pageQuery(
        db.selectFrom('cost_imports').selectAll().where('customer_id', '=', customerId),
        NEWEST_FIRST,
        page,
      ).execute();
      return toPage(rows, NEWEST_FIRST, page.limit, (row) => ({ value: row.id, id: row.id }));
    },

    async update(id: ImportId, changes: Updateable<CostImportsTable>): Promise<void> {
      await db
        .updateTable('cost_imports')
        .set(changes)
        .where('customer_id', '=', customerId)
        .where('id', '=', id)
        .execute();
    },
  };
}

/** Import rows of one tenant. */
export type ImportRepository = ReturnType<typeof importRepository>;

/**
 * Which of these imports still wait for their job (queued or running), across tenants: the spool
 * sweep names files by import id alone, so this one lookup is not tenant-scoped.
 */
export async function unfinishedImports(db: Executor, ids: readonly ImportId[]): Promise<Set<ImportId>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('cost_imports')
    .select('id')
    .where('id', 'in', ids)
    .where('status', 'in', ['queued', 'running'])
    .execute();
  return new Set(rows.map((row) => row.id));
}
