import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
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

/** The migrations this code knows, in order: the schema version it expects. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/** Where the database's schema stands against this code. */
export interface SchemaStatus {
  /** Migrations of this code the database lacks. */
  pending: string[];
  /** Migrations recorded in the database that this code does not know: a newer release migrated it. */
  unknown: string[];
}

/** A schema this code cannot run on; the message says which migrations and what to do. */
export class SchemaMismatch extends Error {
  override readonly name = 'SchemaMismatch';
}

async function appliedMigrations(db: Kysely<Database> | Transaction<Database>): Promise<string[]> {
  return (await sql<{ name: string }>`select name from securebase_migrations`.execute(db)).rows.map((row) => row.name);
}

function statusOf(applied: readonly string[]): SchemaStatus {
  const recorded = new Set(applied);
  return {
    pending: MIGRATION_NAMES.filter((name) => !recorded.has(name)),
    unknown: applied.filter((name) => !Object.hasOwn(MIGRATIONS, name)).sort(),
  };
}

/** Reads the schema's state (one indexed read); a database never migrated has every migration pending. */
export async function schemaStatus(db: Kysely<Database>): Promise<SchemaStatus> {
  const migrated = await adapterOf(db).hasTable(db as unknown as Kysely<unknown>, 'securebase_migrations');
  return statusOf(migrated ? await appliedMigrations(db) : []);
}

function newerSchema(unknown: readonly string[]): SchemaMismatch {
  return new SchemaMismatch(
    `the database schema is newer than this release: it has migration${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} that this code does not know; run the release that applied ${unknown.length > 1 ? 'them' : 'it'} (or a later one)`,
  );
}

/**
 * Refuses a schema this code cannot run on without migrating: one newer than the code, or one
 * lacking migrations (for processes started with --skip-migrations).
 */
export async function assertSchemaCurrent(db: Kysely<Database>): Promise<void> {
  const status = await schemaStatus(db);
  if (status.unknown.length > 0) throw newerSchema(status.unknown);
  if (status.pending.length > 0)
    throw new SchemaMismatch(
      `the database schema is behind this release: migration${status.pending.length > 1 ? 's' : ''} ${status.pending.join(', ')} not applied; run \`securebase migrate\` first`,
    );
}

/**
 * Applies every pending migration in one transaction and returns their names; a failure names
 * the migration and leaves the database as it was. Refuses (changing nothing) a database that
 * records a migration this code does not know: a newer release migrated it. Several processes
 * starting at once on PostgreSQL queue on an advisory lock; SQLite's BEGIN IMMEDIATE does the
 * same. The bookkeeping table lives in the connection's own schema (search_path), and nothing
 * here inspects other schemas, so parallel test schemas cannot disturb each other.
 */
export async function migrateToLatest(db: Kysely<Database>, context: MigrationContext): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    if (adapterOf(trx).name === 'postgres') await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`create table if not exists securebase_migrations (name text primary key, applied_at text not null)`.execute(
      trx,
    );
    const status = statusOf(await appliedMigrations(trx));
    if (status.unknown.length > 0) throw newerSchema(status.unknown);
    const ran: string[] = [];
    for (const name of status.pending) {
      const migration = MIGRATIONS[name] as SecurebaseMigration;
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
