import { PostgresAdapter, sql } from 'kysely';
import type { Kysely, SelectQueryBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/**
 * Everything that differs between SQLite and PostgreSQL, declared once. Services and
 * repositories ask the adapter instead of testing the dialect themselves.
 */
export interface DialectAdapter {
  readonly name: DialectName;
  /** Rows locked by another transaction are skipped (PostgreSQL); SQLite serialises writers instead. */
  skipLocked<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /** Whether the table exists where unqualified names resolve (PostgreSQL: the search_path). */
  hasTable(db: Kysely<unknown>, table: string): Promise<boolean>;
}

export const sqliteAdapter: DialectAdapter = {
  name: 'sqlite',
  skipLocked: (query) => query,
  hasTable: async (db, table) =>
    (await sql`select 1 from sqlite_master where type = 'table' and name = ${table}`.execute(db)).rows.length > 0,
};

export const postgresAdapter: DialectAdapter = {
  name: 'postgres',
  skipLocked: (query) => query.forUpdate().skipLocked(),
  hasTable: async (db, table) =>
    (await sql<{ present: boolean }>`select to_regclass(${table}) is not null as present`.execute(db)).rows[0]
      ?.present === true,
};

/** The adapter behind an open handle or transaction, for code that receives only a transaction. */
export function adapterOf(db: Pick<Kysely<unknown>, 'getExecutor'>): DialectAdapter {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresAdapter : sqliteAdapter;
}
