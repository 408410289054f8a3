import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import { adapterOf } from '../database/adapter.ts';
import type { DialectName } from '../database/adapter.ts';
import { prefixedId } from '../database/ids.ts';
import type { JobsTable } from './tables.ts';
import type { Executor } from './types.ts';

/** Attempts a job gets unless its enqueuer says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** PostgreSQL channel runners LISTEN on; the payload is the schema, so test schemas stay apart. */
export const JOB_WAKE_CHANNEL = 'securebase_jobs';

/** A job to enqueue. */
export interface NewJob {
  name: string;
  /** JSON-serialisable. */
  payload: unknown;
  /** Not before this time (default: now). */
  runAt?: Date;
  maxAttempts?: number;
  /** A second job with the same key is silently not created while the first row exists. */
  uniqueKey?: string;
}

/**
 * How each dialect tells idle runners that work arrived. PostgreSQL: pg_notify inside the
 * enqueuing transaction, delivered only when it commits (and once per transaction). SQLite: no
 * cross-process signal; runners poll, and in-process callers use `runner.wake()`.
 */
const wakeRunners: Record<DialectName, (trx: Executor) => Promise<void>> = {
  postgres: async (trx) => {
    await sql`select pg_notify(${JOB_WAKE_CHANNEL}, current_schema())`.execute(trx);
  },
  sqlite: async () => {},
};

function toRow(job: NewJob, now: Date): Insertable<JobsTable> {
  const at = now.toISOString();
  return {
    id: prefixedId('job', now.getTime()),
    name: job.name,
    payload: JSON.stringify(job.payload ?? null),
    status: 'pending',
    run_at: (job.runAt ?? now).toISOString(),
    attempts: 0,
    max_attempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    locked_by: null,
    locked_until: null,
    last_error: null,
    unique_key: job.uniqueKey ?? null,
    created_at: at,
    updated_at: at,
  };
}

/**
 * Enqueues one job inside the caller's transaction: it exists exactly when the caller's change
 * commits. Returns the new job id, or null when `uniqueKey` matched an existing job.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await enqueueJob(trx, { name: 'email.send', payload: { to } }, clock());
 * });
 */
export async function enqueueJob(trx: Executor, job: NewJob, now: Date): Promise<string | null> {
  const ids = await enqueueJobs(trx, [job], now);
  return ids[0] ?? null;
}

/**
 * Enqueues many jobs with one INSERT per chunk (fan-out); jobs whose `uniqueKey` already exists
 * are skipped. Returns the ids actually created.
 */
export async function enqueueJobs(trx: Executor, jobs: readonly NewJob[], now: Date): Promise<string[]> {
  if (jobs.length === 0) return [];
  const created: string[] = [];
  // 13 columns per row stays under SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
  for (let start = 0; start < jobs.length; start += 2_000) {
    const rows = jobs.slice(start, start + 2_000).map((job) => toRow(job, now));
    const inserted = await trx
      .insertInto('jobs')
      .values(rows)
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .returning('id')
      .execute();
    for (const row of inserted) created.push(row.id);
  }
  if (created.length > 0 && jobs.some((job) => !job.runAt || job.runAt <= now)) {
    await wakeRunners[adapterOf(trx).name](trx);
  }
  return created;
}
