import { AsyncLocalStorage } from 'node:async_hooks';
import type SQLite from 'better-sqlite3';
import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
} from 'kysely';

const STATEMENT_CACHE_SIZE = 500;
/** Most logical transactions one physical commit may carry. */
const MAX_GROUP = 128;
/** The savepoint each logical transaction runs under inside its group's physical transaction. */
const MEMBER_SAVEPOINT = 'kysely_tx';
/** Statements that may change the schema, after which cached row shapes must be checked. */
const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;

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

interface Prepared {
  statement: SQLite.Statement;
  makeRow: RowMaker | null;
  changesSchema: boolean;
}

/**
 * Prepared statements of one connection. A statement's row shape (its column order) is fixed when
 * it is prepared, but SQLite silently re-prepares a statement after a schema change, possibly
 * with other columns (another process recreated a table): the cache is dropped whenever
 * `PRAGMA schema_version` moved. Callers check it at the start of every snapshot (transaction),
 * after their own schema changes and after rollbacks, which may undo one.
 */
class StatementCache {
  private readonly statements = new Map<string, Prepared>();
  private readonly schemaVersion: SQLite.Statement;
  private readonly schemaReload: SQLite.Statement;
  private seenVersion: unknown;

  constructor(private readonly file: SQLite.Database) {
    this.schemaVersion = file.prepare('pragma schema_version').pluck();
    this.schemaReload = file.prepare('select 1 from sqlite_schema limit 0');
    this.seenVersion = this.schemaVersion.get();
  }

  checkSchema(): void {
    const version = this.schemaVersion.get();
    if (version === this.seenVersion) return;
    this.seenVersion = version;
    this.statements.clear();
    // Preparing uses the connection's in-memory schema, which SQLite reloads only when a
    // statement reading a table runs: without this, new statements would get the old columns.
    this.schemaReload.all();
  }

  /** The cached statement for a SQL text; the cache forgets the oldest texts beyond its size. */
  get(sqlText: string): Prepared {
    const cached = this.statements.get(sqlText);
    if (cached) return cached;
    const statement = this.file.prepare(sqlText);
    const makeRow = statement.reader ? rowMaker(statement.columns().map((column) => column.name)) : null;
    if (makeRow) statement.raw(true);
    const prepared = { statement, makeRow, changesSchema: SCHEMA_CHANGE.test(sqlText) };
    if (this.statements.size >= STATEMENT_CACHE_SIZE) {
      this.statements.delete(this.statements.keys().next().value as string);
    }
    this.statements.set(sqlText, prepared);
    return prepared;
  }

  exec(sqlText: string): void {
    this.get(sqlText).statement.run();
  }
}

function runPrepared<R>({ statement, makeRow }: Prepared, parameters: readonly unknown[]): QueryResult<R> {
  if (makeRow) return { rows: (statement.all(parameters) as unknown[][]).map(makeRow) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** A FIFO lock: SQLite has one writer connection, used by one holder at a time. */
class Mutex {
  private queue: Array<() => void> = [];
  private held = false;
  lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }
  unlock(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.held = false;
  }
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A transaction that did nothing wrong was undone with its group: another member made SQLite
 * abort the shared physical transaction, or the group's COMMIT failed. Its callback may safely run
 * again; the database handle does so, alone in a physical transaction (connection.ts).
 */
export class GroupRolledBackError extends Error {
  override name = 'GroupRolledBackError';
  constructor(override readonly cause: unknown) {
    super(`the transaction group was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** One use of the driver by Kysely: a single query, or one transaction from begin to release. */
class Lease implements DatabaseConnection {
  /** Holds the writer's lock: from BEGIN until its savepoint is released or rolled back. */
  holdsWriter = false;
  inTransaction = false;
  /** Commits in a physical transaction of its own (a re-run after its group was rolled back). */
  alone = false;
  /** SQLite aborted the physical transaction under this transaction: nothing of it is left. */
  aborted: unknown = null;
  constructor(private readonly driver: GroupCommitSqliteDriver) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute<R>(this, query);
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite here');
  }
}

/**
 * Kysely driver for better-sqlite3 with group commit. Every logical transaction runs inside one
 * physical `BEGIN IMMEDIATE … COMMIT` shared with the transactions that queued behind it, each
 * under its own savepoint (so a rollback undoes only its own writes). A committing transaction
 * lets the next one start at once but resolves only after the shared COMMIT, so nothing is
 * acknowledged before it is written. One commit writes each touched page once for the whole
 * group instead of once per transaction, which is most of the cost of a small write.
 *
 * Reads outside any transaction run on a separate read-only connection, which sees only what
 * is committed (WAL); writes outside a transaction first commit the open group. When one
 * member makes SQLite abort the whole physical transaction (`INSERT OR ROLLBACK`, a full disk),
 * or the group's COMMIT fails, that member gets its own error and its mates get a
 * {@link GroupRolledBackError}: the handle re-runs them alone ({@link alone}). Every waiter of
 * a group is settled, whatever fails.
 *
 * Statements are prepared once (Kysely would prepare every query anew) and rows are built by
 * {@link rowMaker}.
 */
export class GroupCommitSqliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly writes: StatementCache;
  private readonly reads: StatementCache;
  /** Set by {@link alone} for the one transaction it re-runs; timers that work starts do not inherit it. */
  private readonly aloneScope = new AsyncLocalStorage<{ pending: boolean }>();
  private groupOpen = false;
  private waiters: Waiter[] = [];
  private flushQueued = false;

  constructor(
    private readonly writer: SQLite.Database,
    private readonly reader: SQLite.Database,
  ) {
    this.writes = new StatementCache(writer);
    this.reads = new StatementCache(reader);
  }

  async init(): Promise<void> {}

  /** A lease takes the writer only when it begins a transaction or writes. */
  async acquireConnection(): Promise<DatabaseConnection> {
    return new Lease(this);
  }

  /** Runs `work`, whose first transaction commits alone, in a physical transaction of its own. */
  alone<T>(work: () => Promise<T>): Promise<T> {
    return this.aloneScope.run({ pending: true }, work);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    await this.lockWriter(lease);
    const scope = this.aloneScope.getStore();
    const alone = scope?.pending === true;
    if (scope) scope.pending = false;
    const full = this.waiters.length >= MAX_GROUP || !this.writer.inTransaction;
    if (this.groupOpen && (alone || full)) this.commitGroup();
    if (!this.groupOpen) {
      this.beginPhysical();
      this.groupOpen = true;
    }
    this.writes.exec(`savepoint ${MEMBER_SAVEPOINT}`);
    lease.inTransaction = true;
    lease.alone = alone;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    this.assertIntact(lease);
    this.writes.exec(`release ${MEMBER_SAVEPOINT}`);
    lease.inTransaction = false;
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (lease.alone) this.commitGroup();
    else this.scheduleFlush();
    this.unlockWriter(lease);
    await committed;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    // Not in a transaction any more: its savepoint was released, and its group settles it.
    if (!lease.inTransaction) return;
    lease.inTransaction = false;
    if (lease.aborted !== null) return;
    try {
      this.writes.exec(`rollback to ${MEMBER_SAVEPOINT}`);
      this.writes.exec(`release ${MEMBER_SAVEPOINT}`);
      this.writes.checkSchema();
    } catch (error) {
      // The member's own writes are undone either way; its mates must not be committed half-known.
      this.abandonGroup(error);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (!lease.holdsWriter) return;
    this.unlockWriter(lease);
    // A group left open by a rolled-back transaction still holds SQLite's write lock: commit it.
    if (this.groupOpen) this.scheduleFlush();
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.assertIntact(connection as Lease);
    this.writes.exec(`savepoint ${quoteIdentifier(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.assertIntact(connection as Lease);
    this.writes.exec(`rollback to ${quoteIdentifier(name)}`);
    this.writes.checkSchema();
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.assertIntact(connection as Lease);
    this.writes.exec(`release ${quoteIdentifier(name)}`);
  }

  async destroy(): Promise<void> {
    await this.mutex.lock();
    try {
      if (this.groupOpen) this.commitGroup();
    } finally {
      this.reader.close();
      this.writer.close();
      this.mutex.unlock();
    }
  }

  /** Runs one statement for a lease. */
  async execute<R>(lease: Lease, query: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = query.parameters as unknown[];
    if (lease.inTransaction) return this.runInTransaction(lease, query.sql, parameters);
    if (this.readsOnly(query.sql)) return this.runOnReader(query.sql, parameters);
    await this.lockWriter(lease);
    try {
      return this.runOutsideTransaction(query.sql, parameters);
    } finally {
      this.unlockWriter(lease);
    }
  }

  private runInTransaction<R>(lease: Lease, sqlText: string, parameters: unknown[]): QueryResult<R> {
    this.assertIntact(lease);
    const prepared = this.writes.get(sqlText);
    try {
      const result = runPrepared<R>(prepared, parameters);
      if (prepared.changesSchema) this.writes.checkSchema();
      return result;
    } catch (error) {
      if (!this.writer.inTransaction) {
        // SQLite rolled back the whole physical transaction: this member's error is its own,
        // its committed-but-unwritten mates were innocent.
        lease.aborted = error;
        this.groupOpen = false;
        this.writes.checkSchema();
        this.settle(this.takeWaiters(), new GroupRolledBackError(error));
      }
      throw error;
    }
  }

  /** Whether a statement only reads; one the reader cannot prepare goes to the writer, which decides. */
  private readsOnly(sqlText: string): boolean {
    try {
      return this.reads.get(sqlText).statement.readonly;
    } catch {
      // Not preparable on the committed schema (e.g. a table the open group creates).
      return false;
    }
  }

  /** One read in a snapshot of its own, so the schema check and the read see the same schema. */
  private runOnReader<R>(sqlText: string, parameters: unknown[]): QueryResult<R> {
    this.reads.exec('begin');
    try {
      this.reads.checkSchema();
      return runPrepared<R>(this.reads.get(sqlText), parameters);
    } finally {
      if (this.reader.inTransaction) this.reads.exec('commit');
    }
  }

  /** A write outside any transaction: its own physical transaction, after the open group commits. */
  private runOutsideTransaction<R>(sqlText: string, parameters: unknown[]): QueryResult<R> {
    if (this.groupOpen) this.commitGroup();
    this.beginPhysical();
    try {
      const prepared = this.writes.get(sqlText);
      const result = runPrepared<R>(prepared, parameters);
      this.writes.exec('commit');
      if (prepared.changesSchema) this.writes.checkSchema();
      return result;
    } catch (error) {
      this.rollbackPhysical();
      throw error;
    }
  }

  private async lockWriter(lease: Lease): Promise<void> {
    await this.mutex.lock();
    lease.holdsWriter = true;
  }

  private unlockWriter(lease: Lease): void {
    lease.holdsWriter = false;
    this.mutex.unlock();
  }

  /** Refuses statements of a transaction SQLite already rolled back: they would run outside it. */
  private assertIntact(lease: Lease): void {
    if (lease.aborted !== null) {
      throw new Error('the transaction was rolled back by SQLite after an earlier error', { cause: lease.aborted });
    }
    if (!lease.inTransaction) throw new Error('not inside a transaction');
  }

  /** BEGIN IMMEDIATE with the lock held; a transaction left by a failed rollback is undone first. */
  private beginPhysical(): void {
    if (this.writer.inTransaction) this.writer.exec('rollback');
    this.writes.exec('begin immediate');
    this.writes.checkSchema();
  }

  /** Rolls the physical transaction back if SQLite has not already; a failure leaves it to {@link beginPhysical}. */
  private rollbackPhysical(): void {
    try {
      if (this.writer.inTransaction) this.writer.exec('rollback');
      this.writes.checkSchema();
    } catch {
      // The next BEGIN retries the rollback; the callers are told by their own error.
    }
  }

  /** Commits the open group once the transactions queued behind it have joined it. */
  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      void this.mutex.lock().then(() => {
        try {
          if (this.groupOpen) this.commitGroup();
        } finally {
          this.mutex.unlock();
        }
      });
    });
  }

  /** COMMIT with the lock held; settles every transaction of the group, whatever fails. */
  private commitGroup(): void {
    const waiters = this.takeWaiters();
    try {
      if (!this.writer.inTransaction) throw new Error('SQLite rolled the transaction back');
      this.writes.exec('commit');
    } catch (error) {
      this.rollbackPhysical();
      this.settle(waiters, new GroupRolledBackError(error));
      return;
    }
    this.settle(waiters, null);
  }

  /** Gives up the open group after an error that may have left it half undone. */
  private abandonGroup(error: unknown): void {
    const waiters = this.takeWaiters();
    this.rollbackPhysical();
    this.settle(waiters, new GroupRolledBackError(error));
  }

  private takeWaiters(): Waiter[] {
    const waiters = this.waiters;
    this.waiters = [];
    this.groupOpen = false;
    return waiters;
  }

  private settle(waiters: Waiter[], error: GroupRolledBackError | null): void {
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** SQLite through the group-commit driver; the rest (query compiler, adapter, introspector) is Kysely's. */
export class GroupCommitSqliteDialect implements Dialect {
  constructor(private readonly driver: GroupCommitSqliteDriver) {}
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
