import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';

/** All job rows, oldest first: for assertions in tests. */
export async function allJobs(db: Kysely<Database>) {
  return db.selectFrom('jobs').selectAll().orderBy('created_at').orderBy('id').execute();
}

export { waitFor } from '../../testing/wait.ts';
