import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import type { Dialect, Transaction, TransactionBuilder } from 'kysely';
import pg from 'pg';
import { postgresAdapter, sqliteAdapter } from './adapter.ts';
import type { DialectAdapter } from './adapter.ts';
import type { Database } from './schema.ts';
import { GroupCommitSqliteDialect, GroupCommitSqliteDriver, GroupRolledBackError } from './sqlite-driver.ts';
import { insideTransaction } from './transaction-guard.ts';
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

function ignoreConnectionError(): void {}

/**
 * The application's Kysely: every `transaction().execute` callback runs marked for the transaction
 * guard (both dialects), and on SQLite a transaction undone by a group mate
 * ({@link GroupRolledBackError}) runs again, alone, so only the culprit sees an error. Handles
 * derived with `withPlugin`/`withSchema` are plain Kysely instances without this wrapping.
 */
class GuardedKysely extends Kysely<Database> {
  constructor(
    dialect: Dialect,
    private readonly groupCommit: GroupCommitSqliteDriver | null,
  ) {
    super({ dialect });
  }

  override transaction(): TransactionBuilder<Database> {
    return guardedTransaction(super.transaction(), this.groupCommit);
  }
}

function guardedTransaction(
  builder: TransactionBuilder<Database>,
  groupCommit: GroupCommitSqliteDriver | null,
): TransactionBuilder<Database> {
  const attempt = <T>(callback: (trx: Transaction<Database>) => Promise<T>) =>
    builder.execute((trx) => insideTransaction(() => callback(trx)));
  const execute = async <T>(callback: (trx: Transaction<Database>) => Promise<T>): Promise<T> => {
    try {
      return await attempt(callback);
    } catch (error) {
      if (!groupCommit || !(error instanceof GroupRolledBackError)) throw error;
      try {
        return await groupCommit.alone(() => attempt(callback));
      } catch (retryError) {
        throw retryError instanceof GroupRolledBackError ? retryError.cause : retryError;
      }
    }
  };
  const guarded: Pick<TransactionBuilder<Database>, 'execute' | 'setAccessMode' | 'setIsolationLevel'> = {
    execute,
    setAccessMode: (mode) => guardedTransaction(builder.setAccessMode(mode), groupCommit),
    setIsolationLevel: (level) => guardedTransaction(builder.setIsolationLevel(level), groupCommit),
  };
  return Object.assign(
    Object.create(Object.getPrototypeOf(builder) as object) as TransactionBuilder<Database>,
    guarded,
  );
}

/**
 * Creates the database file readable by its owner only, and narrows files left by older versions.
 * SQLite gives the WAL and shared-memory files it creates the database file's mode.
 */
function ownerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

/** The SQLite file in the data directory: a writer for transactions and writes, a reader for the rest (WAL). */
function openSqlite(dataDir: string): GroupCommitSqliteDriver {
  // The data directory holds tenants' data and the key file: readable by the service user only.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'securebase.db');
  ownerOnly(path);
  const writer = new SQLite(path);
  writer.pragma('journal_mode = WAL');
  // NORMAL may lose the last commits on power loss; one fsync per group commit keeps FULL cheap.
  writer.pragma('synchronous = FULL');
  writer.pragma('busy_timeout = 10000');
  writer.pragma('foreign_keys = ON');
  const reader = new SQLite(path, { readonly: true });
  reader.pragma('busy_timeout = 10000');
  return new GroupCommitSqliteDriver(writer, reader);
}

/** Opens SQLite (WAL) in the data directory, or PostgreSQL when a URL is given. */
export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // While the server is away a checkout fails (the request answers 503) instead of queueing forever.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // A server restart breaks idle and checked-out connections alike; pg emits 'error' on them, and
    // an 'error' event without a listener ends the process. The pool drops broken clients itself and
    // the query that needed one fails with the cause, so these listeners only keep the process alive.
    pool.on('error', ignoreConnectionError);
    pool.on('connect', (client) => client.on('error', ignoreConnectionError));
    const db = interceptTransactions<Database>(new GuardedKysely(new PostgresDialect({ pool }), null));
    return { db, adapter: postgresAdapter, close: () => db.destroy() };
  }
  const driver = openSqlite(options.dataDir);
  const db = interceptTransactions<Database>(new GuardedKysely(new GroupCommitSqliteDialect(driver), driver));
  return { db, adapter: sqliteAdapter, close: () => db.destroy() };
}
