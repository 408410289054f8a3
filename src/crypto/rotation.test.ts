import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { createTestDatabase } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { decryptSecret, encryptSecret, sealedKeyId } from './envelope.ts';
import { createKeyRing } from './key-ring.ts';
import { rotateSealedValues } from './rotation.ts';
import { sealedColumn } from './sealed-columns.ts';

const ringA = createKeyRing(Buffer.alloc(32, 0xa1));
const ringB = createKeyRing(Buffer.alloc(32, 0xb2), [Buffer.alloc(32, 0xa1)]);
const context = (owner: string, key: string) => `test:${owner}:${key}`;

describe('master-key rotation with a concurrent writer', () => {
  let database: TestDatabase;
  let otherProcess: SQLite.Database;
  before(async () => {
    database = await createTestDatabase('sqlite');
    otherProcess = new SQLite(join(database.env.SECUREBASE_DATA_DIR, 'securebase.db'));
  });
  after(async () => {
    otherProcess.close();
    await database.destroy();
  });

  it('re-reads a row changed between its read and its write instead of overwriting the change', async () => {
    for (const key of ['a', 'b', 'c']) {
      await database.db
        .insertInto('idempotency_keys')
        .values({
          owner: 'o',
          key,
          request_hash: 'h',
          state: 'done',
          response_status: 200,
          response_content_type: 'application/json',
          created_at: new Date().toISOString(),
          response_body: encryptSecret(ringA, `first ${key}`, context('o', key)),
        })
        .execute();
    }
    // Another process (still on key A) rewrites row b after the rotation has read it: the second time
    // the row is rewritten (the first is the check pass), just before the batch is written.
    let readsOfB = 0;
    const column = sealedColumn({
      name: 'test responses',
      table: 'idempotency_keys',
      column: 'response_body',
      rowKey: ['owner', 'key'],
      rewrite: (stored, row, reseal) => {
        if (row.key === 'b' && ++readsOfB === 2) {
          otherProcess
            .prepare('update idempotency_keys set response_body = ? where owner = ? and key = ?')
            .run(encryptSecret(ringA, 'second b', context('o', 'b')), 'o', 'b');
        }
        return reseal(stored, context(row.owner, row.key));
      },
    });

    const summary = await rotateSealedValues(database.db, ringB, [column], { batchSize: 10, onProgress: () => {} });
    assert.deepEqual(summary, { rows: 3, resealed: 3, alreadyCurrent: 0 });
    const rows = await database.db
      .selectFrom('idempotency_keys')
      .select(['key', 'response_body'])
      .orderBy('key')
      .execute();
    assert.deepEqual(
      rows.map((row) =>
        decryptSecret(createKeyRing(Buffer.alloc(32, 0xb2)), row.response_body as string, context('o', row.key)),
      ),
      ['first a', 'second b', 'first c'],
    );
    assert.ok(rows.every((row) => sealedKeyId(row.response_body as string) === ringB.current.id));
  });
});
