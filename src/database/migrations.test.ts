import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from './migrations/index.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`migrations on ${dialect}`, () => {
    it('apply on an empty database and are idempotent', async () => {
      const database = await createTestDatabase(dialect);
      try {
        assert.deepEqual(await migrateToLatest(database.db, { schema: database.env.SECUREBASE_DB_SCHEMA }), []);
        const result = await sql<{ n: number }>`select count(*) as n from tickets`.execute(database.db);
        assert.equal(Number(result.rows[0]?.n), 0);
      } finally {
        await database.destroy();
      }
    });
  });
}
