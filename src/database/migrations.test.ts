import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from './migrations/index.ts';
import { createTestDatabase, migrationContext, TEST_DIALECTS } from '../testing/database.ts';

const BIN = fileURLToPath(new URL('../../bin/securebase.js', import.meta.url));

/** `securebase migrate` as a separate process against the given database. */
function migrateInChild(env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'migrate'], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

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
  });
}
