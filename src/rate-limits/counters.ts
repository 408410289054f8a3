import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { adapterOf } from '../database/adapter.ts';
import type { Database } from '../database/schema.ts';
import { addHits } from './window.ts';
import type { CountedWindow } from './window.ts';

/**
 * Where rate-limit windows live: process memory where one process serves (SQLite), a table every
 * API process shares on PostgreSQL. Each call is one atomic step, so processes never lose a hit.
 */
export interface WindowCounters {
  /** Adds `amount` hits to the key's window (opening a new one if it ended) and returns it. */
  add(key: string, amount: number, windowMs: number, nowMs: number): Promise<CountedWindow>;
  /** The key's window, or null when it has none; it may have ended (see window.ts). */
  read(key: string): Promise<CountedWindow | null>;
  forget(key: string): Promise<void>;
  /** Drops windows that ended by `nowMs`. */
  deleteEnded(nowMs: number): Promise<void>;
}

// Keys nobody hits again are dropped in a sweep every this many adds, so memory stays bounded.
const SWEEP_EVERY = 1024;

export function memoryWindowCounters(): WindowCounters {
  const windows = new Map<string, CountedWindow>();
  let adds = 0;
  const deleteEnded = (nowMs: number): void => {
    for (const [key, window] of windows) if (window.endsMs <= nowMs) windows.delete(key);
  };
  return {
    async add(key, amount, windowMs, nowMs) {
      const window = addHits(windows.get(key) ?? null, amount, windowMs, nowMs);
      windows.set(key, window);
      adds += 1;
      if (adds % SWEEP_EVERY === 0) deleteEnded(nowMs);
      return window;
    },
    async read(key) {
      return windows.get(key) ?? null;
    },
    async forget(key) {
      windows.delete(key);
    },
    async deleteEnded(nowMs) {
      deleteEnded(nowMs);
    },
  };
}

const storedKey = (key: string) => createHash('sha256').update(key).digest('base64url');
const iso = (ms: number) => new Date(ms).toISOString();
const stored = (row: { count: number; ends_at: string }): CountedWindow => ({
  count: Number(row.count),
  endsMs: Date.parse(row.ends_at),
});

/** Windows in `rate_limit_windows`; `add` is one upsert, the same rule as addHits in SQL. */
export function databaseWindowCounters(db: Kysely<Database>): WindowCounters {
  return {
    async add(key, amount, windowMs, nowMs) {
      const row = await db
        .insertInto('rate_limit_windows')
        .values({ key: storedKey(key), count: amount, ends_at: iso(nowMs + windowMs) })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            count: sql`case when rate_limit_windows.ends_at <= ${iso(nowMs)} then excluded.count else rate_limit_windows.count + excluded.count end`,
            ends_at: sql`case when rate_limit_windows.ends_at <= ${iso(nowMs)} then excluded.ends_at else rate_limit_windows.ends_at end`,
          }),
        )
        .returning(['count', 'ends_at'])
        .executeTakeFirstOrThrow();
      return stored(row);
    },
    async read(key) {
      const row = await db
        .selectFrom('rate_limit_windows')
        .select(['count', 'ends_at'])
        .where('key', '=', storedKey(key))
        .executeTakeFirst();
      return row ? stored(row) : null;
    },
    async forget(key) {
      await db.deleteFrom('rate_limit_windows').where('key', '=', storedKey(key)).execute();
    },
    async deleteEnded(nowMs) {
      await db.deleteFrom('rate_limit_windows').where('ends_at', '<=', iso(nowMs)).execute();
    },
  };
}

/**
 * The counters for a process on this database: shared through the table on PostgreSQL, where
 * several API processes serve; in memory on SQLite, where one process serves (sqlite-serving-lock).
 */
export function windowCountersFor(db: Kysely<Database>): WindowCounters {
  return adapterOf(db).name === 'postgres' ? databaseWindowCounters(db) : memoryWindowCounters();
}
