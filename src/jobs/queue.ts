import { sql } from 'kysely';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { DialectAdapter } from '../database/adapter.ts';
import type { Database } from '../database/schema.ts';
import type { JobsTable, JobStatus } from './tables.ts';
import type { Executor } from './types.ts';

// Literals, not parameters: the partial indexes (migration 005) apply only when the planner sees the status.
const PENDING = sql.lit<JobStatus>('pending');
const RUNNING = sql.lit<JobStatus>('running');

/** A claimed job row as stored. */
export type JobRow = Selectable<JobsTable>;

/** One claim of one job: `attempts` was incremented by the claim, so (id, attempts) names this run. */
export interface ClaimToken {
  id: string;
  attempts: number;
}

/**
 * Claims up to `limit` jobs in ONE statement: due pending jobs in run_at order, plus running jobs
 * whose lease expired (a crashed worker's). PostgreSQL skips rows other workers are claiming
 * (FOR UPDATE SKIP LOCKED); SQLite serialises writers, so the same statement is race-free there.
 * Each branch walks its own index ((status, run_at) and (status, locked_until)).
 */
export async function claimJobs(
  db: Kysely<Database>,
  adapter: DialectAdapter,
  options: { workerId: string; limit: number; now: Date; leaseMs: number },
): Promise<JobRow[]> {
  const now = options.now.toISOString();
  return db
    .with('expired', (qb) =>
      adapter.skipLocked(
        qb
          .selectFrom('jobs')
          .select('id')
          .where('status', '=', RUNNING)
          .where('locked_until', '<', now)
          .limit(options.limit),
      ),
    )
    .with('due', (qb) =>
      adapter.skipLocked(
        qb
          .selectFrom('jobs')
          .select('id')
          .where('status', '=', PENDING)
          .where('run_at', '<=', now)
          .orderBy('run_at')
          .limit(options.limit),
      ),
    )
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      locked_by: options.workerId,
      locked_until: new Date(options.now.getTime() + options.leaseMs).toISOString(),
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', (eb) =>
      eb.selectFrom('expired').select('id').unionAll(eb.selectFrom('due').select('id')).limit(options.limit),
    )
    .returningAll()
    .execute();
}

/** Groups claims by attempt count so one statement can guard on (id, attempts) pairs. */
function byAttempts(claims: readonly ClaimToken[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const claim of claims) {
    const ids = groups.get(claim.attempts);
    if (ids) ids.push(claim.id);
    else groups.set(claim.attempts, [claim.id]);
  }
  return groups;
}

/** Rows this worker still holds under these very claims (id and attempt count both match). */
function stillHeld(eb: ExpressionBuilder<Database, 'jobs'>, workerId: string, claims: readonly ClaimToken[]) {
  return eb.and([
    eb('locked_by', '=', workerId),
    eb('status', '=', RUNNING),
    eb.or(
      [...byAttempts(claims)].map(([attempts, ids]) => eb.and([eb('attempts', '=', attempts), eb('id', 'in', ids)])),
    ),
  ]);
}

/**
 * Deletes succeeded jobs in one statement, but only rows still held by this worker under the same
 * claim: a job whose lease expired and was reclaimed elsewhere is left to its new owner. Returns
 * the ids deleted.
 */
export async function completeJobs(db: Executor, workerId: string, claims: readonly ClaimToken[]): Promise<string[]> {
  if (claims.length === 0) return [];
  const rows = await db
    .deleteFrom('jobs')
    .where((eb) => stillHeld(eb, workerId, claims))
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** What happens to a job whose run failed. */
export type FailureOutcome = { kind: 'retry'; runAt: Date; refundAttempt: boolean } | { kind: 'dead' };

/** Reschedules or buries one failed job, if this worker still holds it. Returns whether it did. */
export async function failJob(
  db: Executor,
  workerId: string,
  claim: ClaimToken,
  outcome: FailureOutcome,
  error: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set((eb) => ({
      status: outcome.kind === 'dead' ? 'dead' : 'pending',
      run_at: outcome.kind === 'retry' ? outcome.runAt.toISOString() : eb.ref('run_at'),
      attempts: outcome.kind === 'retry' && outcome.refundAttempt ? eb('attempts', '-', 1) : eb.ref('attempts'),
      locked_by: null,
      locked_until: null,
      last_error: error.slice(0, 4_000),
      updated_at: now.toISOString(),
    }))
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempts)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Gives jobs still held by this worker back to the queue at once: pending, due now, the attempt not
 * counted (the run was cut short by a shutdown, not failed). Returns the ids released; a job that
 * finished or was reclaimed meanwhile is left alone.
 */
export async function releaseJobs(
  db: Executor,
  workerId: string,
  claims: readonly ClaimToken[],
  now: Date,
): Promise<string[]> {
  if (claims.length === 0) return [];
  const at = now.toISOString();
  const rows = await db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'pending',
      run_at: at,
      attempts: eb('attempts', '-', 1),
      locked_by: null,
      locked_until: null,
      updated_at: at,
    }))
    .where((eb) => stillHeld(eb, workerId, claims))
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Extends the leases of jobs still running here; returns the ids actually renewed. */
export async function renewLeases(
  db: Executor,
  workerId: string,
  claims: readonly ClaimToken[],
  until: Date,
): Promise<string[]> {
  if (claims.length === 0) return [];
  const rows = await db
    .updateTable('jobs')
    .set({ locked_until: until.toISOString() })
    .where((eb) => stillHeld(eb, workerId, claims))
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/**
 * A read-only probe for idle runners: true when a claim would find work. Reads never block
 * writers (WAL, MVCC), so idle polling costs no write lock.
 */
export async function hasClaimableJobs(db: Kysely<Database>, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', PENDING), eb('run_at', '<=', at)]),
        eb.and([eb('status', '=', RUNNING), eb('locked_until', '<', at)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
