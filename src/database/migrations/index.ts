import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.ts';
import { adapterOf } from '../adapter.ts';
import type { Database } from '../schema.ts';
import * as identity from './001_identity.ts';
import * as eventsAndJobs from './002_events_and_jobs.ts';
import * as tickets from './003_tickets.ts';
import * as webhooks from './004_webhooks.ts';
import * as jobsPartialIndexes from './005_jobs_partial_indexes.ts';
import * as webhookHeaderEncryption from './006_webhook_header_encryption.ts';
import * as notifications from './007_notifications.ts';
import * as sla from './008_sla.ts';
import * as ticketSearchAndAttachments from './009_ticket_search_and_attachments.ts';
import * as ticketDesk from './010_ticket_desk.ts';
import * as costs from './011_costs.ts';
import * as rateLimitWindows from './012_rate_limit_windows.ts';

export type { MigrationContext };

/** One migration; data migrations also receive the context. */
interface SecurebaseMigration {
  up(db: Kysely<unknown>, context: MigrationContext): Promise<void>;
}

/** The one ordered list of migrations, shared by both dialects. Append; never edit a shipped one. */
const MIGRATIONS: Record<string, SecurebaseMigration> = {
  '001_identity': identity,
  '002_events_and_jobs': eventsAndJobs,
  '003_tickets': tickets,
  '004_webhooks': webhooks,
  '005_jobs_partial_indexes': jobsPartialIndexes,
  '006_webhook_header_encryption': webhookHeaderEncryption,
  '007_notifications': notifications,
  '008_sla': sla,
  '009_ticket_search_and_attachments': ticketSearchAndAttachments,
  '010_ticket_desk': ticketDesk,
  '011_costs': costs,
  '012_rate_limit_windows': rateLimitWindows,
};

/** Serialises processes migrating one PostgreSQL database at the same time. */
const MIGRATION_LOCK = 72_431_125;

/**
 * Applies every pending migration in one transaction and returns their names; a failure names
 * the migration and leaves the database as it was. Several processes starting at once on
 * PostgreSQL queue on an advisory lock; SQLite's BEGIN IMMEDIATE does the same. The bookkeeping
 * table lives in the connection's own schema (search_path), and nothing here inspects other
 * schemas, so parallel test schemas cannot disturb each other.
 */
export async function migrateToLatest(db: Kysely<Database>, context: MigrationContext): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    if (adapterOf(trx).name === 'postgres') await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`create table if not exists securebase_migrations (name text primary key, applied_at text not null)`.execute(
      trx,
    );
    const applied = new Set(
      (await sql<{ name: string }>`select name from securebase_migrations`.execute(trx)).rows.map((row) => row.name),
    );
    const ran: string[] = [];
    for (const [name, migration] of Object.entries(MIGRATIONS)) {
      if (applied.has(name)) continue;
      try {
        await migration.up(trx as unknown as Kysely<unknown>, context);
      } catch (error) {
        throw new Error(`migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      await sql`insert into securebase_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
        trx,
      );
      ran.push(name);
    }
    return ran;
  });
}
