import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Database } from '../schema.ts';
import * as identity from './001_identity.ts';
import * as eventsAndJobs from './002_events_and_jobs.ts';
import * as tickets from './003_tickets.ts';
import * as webhooks from './004_webhooks.ts';
import * as jobsPartialIndexes from './005_jobs_partial_indexes.ts';

/** The one ordered list of migrations, shared by both dialects. Append; never edit a shipped one. */
const MIGRATIONS: Record<string, Migration> = {
  '001_identity': identity,
  '002_events_and_jobs': eventsAndJobs,
  '003_tickets': tickets,
  '004_webhooks': webhooks,
  '005_jobs_partial_indexes': jobsPartialIndexes,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Applies every pending migration; throws with the failing migration's name. On PostgreSQL with a
 * non-default schema the bookkeeping tables live in that schema too (Kysely otherwise finds another
 * schema's tables by name and skips creating its own).
 */
export async function migrateToLatest(db: Kysely<Database>, options: { schema?: string | undefined } = {}): Promise<string[]> {
  const migrator = new Migrator({ db, provider, ...(options.schema ? { migrationTableSchema: options.schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
