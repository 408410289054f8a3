import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { assertOutsideTransaction, isInsideTransaction, WorkInsideTransactionError } from './transaction-guard.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`transaction guard on ${dialect}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
      await sql`create table guarded (id text primary key)`.execute(database.db);
    });
    after(() => database.destroy());

    it('refuses non-database work inside a transaction callback, which then rolls back', async () => {
      await assert.rejects(
        database.db.transaction().execute(async (trx) => {
          await sql`insert into guarded (id) values ('hashed-inside')`.execute(trx);
          assertOutsideTransaction('password hashing');
        }),
        (error: unknown) =>
          error instanceof WorkInsideTransactionError &&
          /password hashing must not run inside a database transaction/.test(error.message),
      );
      const { rows } = await sql`select id from guarded where id = 'hashed-inside'`.execute(database.db);
      assert.deepEqual(rows, []);
    });

    it('allows it outside, including from work a transaction scheduled that runs after it ended', async () => {
      assert.doesNotThrow(() => assertOutsideTransaction('password hashing'));
      let laterInside: Promise<boolean> | undefined;
      await database.db
        .transaction()
        .setIsolationLevel('serializable')
        .execute(async (trx) => {
          assert.equal(isInsideTransaction(), true);
          await sql`insert into guarded (id) values ('outside')`.execute(trx);
          assert.equal(isInsideTransaction(), true);
          laterInside = new Promise((resolve) => setImmediate(() => resolve(isInsideTransaction())));
        });
      assert.equal(isInsideTransaction(), false);
      assert.equal(await laterInside, false);
    });
  });
}
