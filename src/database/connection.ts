import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDatabase, SqliteStatement } from 'kysely';
import pg from 'pg';
import { postgresAdapter, sqliteAdapter } from './adapter.ts';
import type { DialectAdapter } from './adapter.ts';
import type { Database } from './schema.ts';

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

/**
 * SQLite's plain BEGIN takes the write lock only at the first write, and a reader that then
 * writes fails with SQLITE_BUSY when another process wrote in between. BEGIN IMMEDIATE takes the
 * lock up front, so concurrent worker processes queue on busy_timeout instead of failing.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(sqliteConfig);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

const STATEMENT_CACHE_SIZE = 500;

type RowMaker = (values: unknown[]) => Record<string, unknown>;

/**
 * Builds row objects for one statement from better-sqlite3's raw arrays. Creating each object in
 * native code property by property costs more than running the query itself for wide rows; an
 * object literal of a fixed shape is about twice as fast. Column names come from our own SQL and
 * are embedded as JSON string literals.
 */
function rowMaker(columns: string[]): RowMaker {
  const fields = columns.map((name, index) => `${JSON.stringify(name)}: values[${index}]`).join(', ');
  return new Function('values', `return { ${fields} };`) as RowMaker;
}

/** A reader statement that returns rows through {@link rowMaker}. */
function fastReader(statement: SQLite.Statement): SqliteStatement {
  const makeRow = rowMaker(statement.columns().map((column) => column.name));
  statement.raw(true);
  return {
    reader: true,
    all: (parameters: ReadonlyArray<unknown>) => (statement.all(parameters) as unknown[][]).map(makeRow),
    run: (parameters: ReadonlyArray<unknown>) => statement.run(parameters),
    iterate: function* (parameters: ReadonlyArray<unknown>) {
      for (const values of statement.iterate(parameters) as IterableIterator<unknown[]>) yield makeRow(values);
    },
  };
}

/**
 * Kysely prepares every query anew, and preparing costs more than running most of ours.
 * Statements are reusable in better-sqlite3, so the recently used ones are kept by SQL text.
 */
function withStatementCache(file: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => file.close(),
    prepare: (sqlText: string) => {
      let statement = cache.get(sqlText);
      if (statement) {
        cache.delete(sqlText);
      } else {
        const prepared = file.prepare(sqlText);
        statement = prepared.reader ? fastReader(prepared) : (prepared as unknown as SqliteStatement);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sqlText, statement);
      return statement;
    },
  };
}

/** Opens SQLite (WAL) in the data directory, or PostgreSQL when a URL is given. */
export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, adapter: postgresAdapter, close: () => db.destroy() };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = new SQLite(join(options.dataDir, 'securebase.db'));
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma('busy_timeout = 10000');
  file.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(file) }) });
  return { db, adapter: sqliteAdapter, close: () => db.destroy() };
}
