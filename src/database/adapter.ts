import { PostgresAdapter } from 'kysely';
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
}

export const sqliteAdapter: DialectAdapter = {
  name: 'sqlite',
  skipLocked: (query) => query,
};

export const postgresAdapter: DialectAdapter = {
  name: 'postgres',
  skipLocked: (query) => query.forUpdate().skipLocked(),
};

/** The adapter behind an open handle or transaction, for code that receives only a transaction. */
export function adapterOf(db: Pick<Kysely<unknown>, 'getExecutor'>): DialectAdapter {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresAdapter : sqliteAdapter;
}
