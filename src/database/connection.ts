import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Driver } from 'kysely';
import pg from 'pg';
import { postgresAdapter, sqliteAdapter } from './adapter.ts';
import type { DialectAdapter } from './adapter.ts';
import type { Database } from './schema.ts';
import { GroupCommitSqliteDriver } from './sqlite-driver.ts';
import { interceptTransactions } from './transaction-interceptor.ts';

// COUNT(*) and BIGINT columns arrive as strings from pg; every count we keep fits a double.
pg.types.setTypeParser(20, (value) => Number(value));

/** An open database: the Kysely handle, the dialect's capabilities, and how to close it. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  adapter: DialectAdapter;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; SQLite when absent. */
  databaseUrl?: string | undefined;
  /** Directory holding `securebase.db` for SQLite. */
  dataDir: string;
  /** PostgreSQL schema to use (tests run each suite in a fresh one). */
  schema?: string;
  /** Largest PostgreSQL pool. */
  poolSize?: number;
}

/** SQLite through the group-commit driver; the rest (query compiler, adapter) is Kysely's. */
class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(private readonly file: SQLite.Database) {
    super({ database: file });
  }
  override createDriver(): Driver {
    return new GroupCommitSqliteDriver(this.file);
  }
}

/** Opens SQLite (WAL) in the data directory, or PostgreSQL when a URL is given. */
export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const db = interceptTransactions(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }));
    return { db, adapter: postgresAdapter, close: () => db.destroy() };
  }
  // The data directory holds tenants' data and the key file: readable by the service user only.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = new SQLite(join(options.dataDir, 'securebase.db'));
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma('busy_timeout = 10000');
  file.pragma('foreign_keys = ON');
  const db = interceptTransactions(new Kysely<Database>({ dialect: new GroupCommitSqliteDialect(file) }));
  return { db, adapter: sqliteAdapter, close: () => db.destroy() };
}
