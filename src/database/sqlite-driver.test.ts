import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from './connection.ts';
import type { DatabaseHandle } from './connection.ts';

describe('SQLite group commit', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let observer: SQLite.Database;
  const rows = () => (observer.prepare('select id from items order by id').all() as Array<{ id: string }>).map((r) => r.id);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-group-'));
    handle = openDatabase({ dataDir: dir });
    await sql`create table items (id text primary key, n integer)`.execute(handle.db);
    // A second, independent connection: it sees only what is really committed.
    observer = new SQLite(join(dir, 'securebase.db'));
    observer.pragma('busy_timeout = 0');
  });
  after(async () => {
    observer.close();
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a transaction only once it is committed, and rolls back only the failing ones', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        handle.db.transaction().execute(async (trx) => {
          await sql`insert into items (id, n) values (${`a${String(i).padStart(3, '0')}`}, ${i})`.execute(trx);
          if (i % 5 === 0) throw new Error(`fail ${i}`);
          await sql`update items set n = n + 1000 where id = ${`a${String(i).padStart(3, '0')}`}`.execute(trx);
        }).then(() => {
          // Visible to another connection at the moment the caller hears "committed".
          const seen = observer.prepare('select n from items where id = ?').get(`a${String(i).padStart(3, '0')}`) as { n: number } | undefined;
          assert.equal(seen?.n, i + 1000);
        }),
      ),
    );
    const failed = results.map((r, i) => (r.status === 'rejected' ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(failed, Array.from({ length: 40 }, (_, k) => k * 5));
    assert.equal(rows().length, 160);
    assert.ok(!rows().includes('a000'));
  });

  it('releases the write lock after a transaction that only rolled back', async () => {
    await assert.rejects(handle.db.transaction().execute(async (trx) => {
      await sql`insert into items (id, n) values ('rolled', 1)`.execute(trx);
      throw new Error('nope');
    }));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    observer.exec('begin immediate');
    observer.exec("insert into items (id, n) values ('other-process', 1)");
    observer.exec('commit');
    assert.ok(rows().includes('other-process'));
    assert.ok(!rows().includes('rolled'));
  });

  it('commits an open group before a write outside any transaction', async () => {
    const inGroup = handle.db.transaction().execute((trx) => sql`insert into items (id, n) values ('grouped', 1)`.execute(trx));
    const outside = sql`insert into items (id, n) values ('autocommit', 1)`.execute(handle.db);
    await Promise.all([inGroup, outside]);
    assert.ok(rows().includes('grouped') && rows().includes('autocommit'));
  });

  it('keeps serial order inside a group: later transactions see earlier ones', async () => {
    await sql`insert into items (id, n) values ('counter', 0)`.execute(handle.db);
    await Promise.all(Array.from({ length: 50 }, () => handle.db.transaction().execute(async (trx) => {
      const { rows: [row] } = await sql<{ n: number }>`select n from items where id = 'counter'`.execute(trx);
      await sql`update items set n = ${(row?.n ?? 0) + 1} where id = 'counter'`.execute(trx);
    })));
    assert.equal((observer.prepare("select n from items where id = 'counter'").get() as { n: number }).n, 50);
  });
});
