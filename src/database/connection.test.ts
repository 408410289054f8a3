import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from './connection.ts';
import type { DatabaseHandle } from './connection.ts';

describe('SQLite as opened by openDatabase', () => {
  let dir: string;
  let handle: DatabaseHandle;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-open-'));
    handle = openDatabase({ dataDir: dir });
    await sql`create table written (id integer primary key)`.execute(handle.db);
    await handle.db.transaction().execute((trx) => sql`insert into written (id) values (1)`.execute(trx));
  });
  after(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the database, its WAL and shared-memory files owner-only, like the key file', () => {
    for (const file of ['securebase.db', 'securebase.db-wal', 'securebase.db-shm']) {
      assert.equal((statSync(join(dir, file)).mode & 0o777).toString(8), '600', file);
    }
  });

  it('syncs every commit to disk (synchronous=FULL survives power loss; group commit absorbs the fsyncs)', async () => {
    const { rows } = await handle.db
      .transaction()
      .execute((trx) => sql<{ synchronous: number }>`pragma synchronous`.execute(trx));
    assert.deepEqual(rows, [{ synchronous: 2 }]);
  });
});
