import type SQLite from 'better-sqlite3';
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from 'kysely';

const STATEMENT_CACHE_SIZE = 500;
/** Most logical transactions one physical commit may carry. */
const MAX_GROUP = 128;

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
}

/** A FIFO lock: SQLite has one connection, used by one holder at a time. */
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

/** One acquisition of the connection, so a lease released early is told apart from the next. */
class Lease implements DatabaseConnection {
  inTransaction = false;
  releasedEarly = false;
  constructor(private readonly driver: GroupCommitSqliteDriver) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(this.driver.run<R>(this, query));
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
 * Statements are prepared once (Kysely would prepare every query anew) and rows are built by
 * {@link rowMaker}. A write outside any transaction first commits the open group; a read outside
 * a transaction may see the open group's writes a moment before they are committed.
 */
export class GroupCommitSqliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly statements = new Map<string, Prepared>();
  private groupOpen = false;
  private waiters: Waiter[] = [];
  private flushQueued = false;

  constructor(private readonly file: SQLite.Database) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return new Lease(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (this.groupOpen && (this.waiters.length >= MAX_GROUP || !this.file.inTransaction)) this.commitGroup();
    if (!this.groupOpen) {
      this.exec('begin immediate');
      this.groupOpen = true;
    }
    this.exec('savepoint kysely_tx');
    lease.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    this.exec('release kysely_tx');
    lease.inTransaction = false;
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    lease.releasedEarly = true;
    this.mutex.unlock();
    this.scheduleFlush();
    await committed;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    // Released early means its group failed to commit: nothing of it is left to undo.
    if (lease.releasedEarly || !lease.inTransaction) return;
    lease.inTransaction = false;
    if (!this.file.inTransaction) {
      // SQLite aborted the whole physical transaction (I/O error, disk full): the group is lost.
      this.failGroup(new Error('the transaction group was rolled back by SQLite'));
      return;
    }
    this.exec('rollback to kysely_tx');
    this.exec('release kysely_tx');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if ((connection as Lease).releasedEarly) return;
    this.mutex.unlock();
    // A group left open by a rolled-back transaction still holds SQLite's write lock: commit it.
    if (this.groupOpen) this.scheduleFlush();
  }

  async destroy(): Promise<void> {
    await this.mutex.lock();
    try {
      if (this.groupOpen) this.commitGroup();
    } finally {
      this.file.close();
      this.mutex.unlock();
    }
  }

  /** Runs one statement for a lease; called with the lock held. */
  run<R>(lease: Lease, query: CompiledQuery): QueryResult<R> {
    const { statement, makeRow } = this.prepare(query.sql);
    if (!lease.inTransaction && this.groupOpen && !statement.readonly) this.commitGroup();
    const parameters = query.parameters as unknown[];
    if (makeRow) return { rows: (statement.all(parameters) as unknown[][]).map(makeRow) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  /** The cached statement for a SQL text; the cache forgets the oldest texts beyond its size. */
  private prepare(sqlText: string): Prepared {
    const cached = this.statements.get(sqlText);
    if (cached) return cached;
    const statement = this.file.prepare(sqlText);
    const makeRow = statement.reader ? rowMaker(statement.columns().map((column) => column.name)) : null;
    if (makeRow) statement.raw(true);
    const prepared = { statement, makeRow };
    if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
    this.statements.set(sqlText, prepared);
    return prepared;
  }

  private exec(sqlText: string): void {
    this.prepare(sqlText).statement.run();
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

  /** COMMIT with the lock held; settles every transaction of the group. */
  private commitGroup(): void {
    const waiters = this.waiters;
    this.waiters = [];
    this.groupOpen = false;
    try {
      if (this.file.inTransaction) this.exec('commit');
      else throw new Error('the transaction group was rolled back by SQLite');
    } catch (error) {
      if (this.file.inTransaction) this.file.exec('rollback');
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  private failGroup(error: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    this.groupOpen = false;
    for (const waiter of waiters) waiter.reject(error);
  }
}
