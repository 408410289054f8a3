import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

/** The claim of a SQLite data directory by the one long-running process using it. */
export interface SqliteServingLock {
  release(): void;
}

/** Another `securebase serve` or `securebase worker` process already uses the SQLite database. */
export class SqliteInUseError extends Error {
  override name = 'SqliteInUseError';
}

/**
 * Claims the SQLite database in `dataDir` for one long-running process (`serve` or `worker`).
 * better-sqlite3 waits for SQLite's write lock synchronously (busy timeout), so two such processes
 * on one file would freeze each other's event loop for up to the busy timeout whenever their
 * writes collide. The claim is an exclusive lock on `securebase.lock` in the data directory,
 * taken by SQLite itself (POSIX file locks): the operating system drops it when the process exits,
 * however it exits (kill -9 included), so no stale claim is ever left behind. Short-lived
 * commands (`migrate`, `admin …`) do not claim it.
 */
export function claimSqliteDatabase(dataDir: string): SqliteServingLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'securebase.lock');
  closeSync(openSync(path, 'a', 0o600));
  const lock = new SQLite(path, { timeout: 0 });
  try {
    lock.exec('begin exclusive');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    throw new SqliteInUseError(
      `the SQLite database in ${dataDir} is in use by another securebase serve or worker process. ` +
        'SQLite takes one such process (serve runs the background jobs itself); ' +
        'to run worker processes separately, use PostgreSQL: set DATABASE_URL.',
    );
  }
  return { release: () => lock.close() };
}
