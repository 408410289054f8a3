import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The due and lease indexes cover only the rows they serve (pending jobs by run_at, running jobs by
 * lease expiry), so enqueueing, claiming and completing a job each maintain one small index
 * instead of two composite ones. Queries must name the status as a literal for the planner to
 * pick a partial index (see jobs/queue.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_due_idx').execute();
  await db.schema.dropIndex('jobs_lease_idx').execute();
  await sql`create index jobs_pending_idx on jobs (run_at) where status = 'pending'`.execute(db);
  await sql`create index jobs_running_idx on jobs (locked_until) where status = 'running'`.execute(db);
}
