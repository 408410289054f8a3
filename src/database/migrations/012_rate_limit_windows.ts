import type { Kysely } from 'kysely';

/** Rate-limit windows every API process shares; see src/rate-limits/counters.ts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_windows')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_windows_ends_idx').on('rate_limit_windows').column('ends_at').execute();
}
