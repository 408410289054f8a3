import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { adapterOf } from './adapter.ts';
import { assertSchemaCurrent, MIGRATION_NAMES, migrateToLatest, SchemaMismatch } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { runCli } from '../testing/cli.ts';
import { createTestDatabase, migrationContext, TEST_DIALECTS } from '../testing/database.ts';

/** `securebase migrate` as a separate process against the given database. */
const migrateInChild = (env: Record<string, string | undefined>) => runCli(['migrate'], env);

/** Whether the table exists in the test database's schema. */
const hasTable = (db: Kysely<Database>, table: string) =>
  adapterOf(db).hasTable(db as unknown as Kysely<unknown>, table);

for (const dialect of TEST_DIALECTS) {
  describe(`migrations on ${dialect}`, () => {
    it('apply on an empty database and are idempotent', async () => {
      const database = await createTestDatabase(dialect);
      try {
        assert.deepEqual(await migrateToLatest(database.db, migrationContext(database.env.SECUREBASE_DATA_DIR)), []);
        const result = await sql<{ n: number }>`select count(*) as n from tickets`.execute(database.db);
        assert.equal(Number(result.rows[0]?.n), 0);
        const recorded = await sql<{ name: string }>`select name from securebase_migrations order by name`.execute(
          database.db,
        );
        assert.equal(recorded.rows[0]?.name, '001_identity');
      } finally {
        await database.destroy();
      }
    });

    it('let several processes migrate at once: each migration runs exactly once', { timeout: 60_000 }, async () => {
      const database = await createTestDatabase(dialect);
      try {
        await sql`delete from securebase_migrations where name = '005_jobs_partial_indexes'`.execute(database.db);
        await sql`create index jobs_due_idx on jobs (status, run_at)`.execute(database.db);
        await sql`create index jobs_lease_idx on jobs (status, locked_until)`.execute(database.db);
        await sql`drop index jobs_pending_idx`.execute(database.db);
        await sql`drop index jobs_running_idx`.execute(database.db);
        const runs = await Promise.all([0, 1, 2].map(() => migrateInChild(database.env)));
        for (const run of runs) assert.equal(run.code, 0, run.stderr);
        // One applies it under the lock; the others wait for it, then find nothing to do.
        assert.deepEqual(runs.map((run) => run.stdout.trim()).sort(), [
          'Applied migrations: 005_jobs_partial_indexes',
          'Database is up to date.',
          'Database is up to date.',
        ]);
        const recorded = await sql<{
          n: number;
        }>`select count(*) as n from securebase_migrations where name = '005_jobs_partial_indexes'`.execute(
          database.db,
        );
        assert.equal(Number(recorded.rows[0]?.n), 1);
        await sql`select id from jobs where status = 'pending' order by run_at limit 1`.execute(database.db);
      } finally {
        await database.destroy();
      }
    });

    it(
      'fail closed: a failing migration exits non-zero and leaves nothing of itself behind',
      { timeout: 60_000 },
      async () => {
        const database = await createTestDatabase(dialect);
        try {
          // 011 runs again from its first statement: cost_profiles is created, then cost_records exists.
          await sql`delete from securebase_migrations where name = '011_costs'`.execute(database.db);
          await sql`drop table cost_profiles`.execute(database.db);
          const run = await migrateInChild(database.env);
          assert.equal(run.code, 1);
          assert.match(run.stderr, /^securebase: migration 011_costs failed: /);
          assert.equal(await hasTable(database.db, 'cost_profiles'), false, 'the failed migration is rolled back');
          await assert.rejects(assertSchemaCurrent(database.db), {
            message:
              'the database schema is behind this release: migration 011_costs not applied; run `securebase migrate` first',
          });
        } finally {
          await database.destroy();
        }
      },
    );

    it(
      'refuse a database newer than the code, naming the migration it does not know',
      { timeout: 60_000 },
      async () => {
        const database = await createTestDatabase(dialect);
        try {
          await sql`insert into securebase_migrations (name, applied_at) values ('999_from_the_future', '2027-01-01T00:00:00.000Z')`.execute(
            database.db,
          );
          await assert.rejects(
            migrateToLatest(database.db, migrationContext(database.env.SECUREBASE_DATA_DIR)),
            (error: unknown) => error instanceof SchemaMismatch && /999_from_the_future/.test(error.message),
          );
          await assert.rejects(assertSchemaCurrent(database.db), SchemaMismatch);
          const run = await migrateInChild(database.env);
          assert.equal(run.code, 1);
          assert.equal(
            run.stderr.trim(),
            'securebase: the database schema is newer than this release: it has migration 999_from_the_future that this code does not know; run the release that applied it (or a later one)',
          );
          assert.equal(
            Number(
              (await sql<{ n: number }>`select count(*) as n from securebase_migrations`.execute(database.db)).rows[0]
                ?.n,
            ),
            MIGRATION_NAMES.length + 1,
          );
        } finally {
          await database.destroy();
        }
      },
    );
  });
}
