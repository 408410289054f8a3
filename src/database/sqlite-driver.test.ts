import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { openDatabase } from './connection.ts';
import type { DatabaseHandle } from './connection.ts';
import { GroupCommitSqliteDialect, GroupCommitSqliteDriver } from './sqlite-driver.ts';

describe('SQLite group commit', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let observer: SQLite.Database;
  const rows = () =>
    (observer.prepare('select id from items order by id').all() as Array<{ id: string }>).map((r) => r.id);

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
        handle.db
          .transaction()
          .execute(async (trx) => {
            await sql`insert into items (id, n) values (${`a${String(i).padStart(3, '0')}`}, ${i})`.execute(trx);
            if (i % 5 === 0) throw new Error(`fail ${i}`);
            await sql`update items set n = n + 1000 where id = ${`a${String(i).padStart(3, '0')}`}`.execute(trx);
          })
          .then(() => {
            // Visible to another connection at the moment the caller hears "committed".
            const seen = observer.prepare('select n from items where id = ?').get(`a${String(i).padStart(3, '0')}`) as
              { n: number } | undefined;
            assert.equal(seen?.n, i + 1000);
          }),
      ),
    );
    const failed = results.map((r, i) => (r.status === 'rejected' ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(
      failed,
      Array.from({ length: 40 }, (_, k) => k * 5),
    );
    assert.equal(rows().length, 160);
    assert.ok(!rows().includes('a000'));
  });

  it('releases the write lock after a transaction that only rolled back', async () => {
    await assert.rejects(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into items (id, n) values ('rolled', 1)`.execute(trx);
        throw new Error('nope');
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    observer.exec('begin immediate');
    observer.exec("insert into items (id, n) values ('other-process', 1)");
    observer.exec('commit');
    assert.ok(rows().includes('other-process'));
    assert.ok(!rows().includes('rolled'));
  });

  it('commits an open group before a write outside any transaction', async () => {
    const inGroup = handle.db
      .transaction()
      .execute((trx) => sql`insert into items (id, n) values ('grouped', 1)`.execute(trx));
    const outside = sql`insert into items (id, n) values ('autocommit', 1)`.execute(handle.db);
    await Promise.all([inGroup, outside]);
    assert.ok(rows().includes('grouped') && rows().includes('autocommit'));
  });

  it('keeps serial order inside a group: later transactions see earlier ones', async () => {
    await sql`insert into items (id, n) values ('counter', 0)`.execute(handle.db);
    await Promise.all(
      Array.from({ length: 50 }, () =>
        handle.db.transaction().execute(async (trx) => {
          const {
            rows: [row],
          } = await sql<{ n: number }>`select n from items where id = 'counter'`.execute(trx);
          await sql`update items set n = ${(row?.n ?? 0) + 1} where id = 'counter'`.execute(trx);
        }),
      ),
    );
    assert.equal((observer.prepare("select n from items where id = 'counter'").get() as { n: number }).n, 50);
  });

  it('serves reads outside a transaction only what is committed (no dirty read)', async () => {
    let readDuringTransaction: Promise<{ rows: unknown[] }> | undefined;
    await handle.db.transaction().execute(async (trx) => {
      await sql`insert into items (id, n) values ('uncommitted', 1)`.execute(trx);
      // Started before this transaction commits: it must not see the row.
      readDuringTransaction = sql`select id from items where id = 'uncommitted'`.execute(handle.db);
    });
    assert.deepEqual((await readDuringTransaction)?.rows, []);
    assert.ok(rows().includes('uncommitted'));
    const { rows: after } = await sql`select id from items where id = 'uncommitted'`.execute(handle.db);
    assert.deepEqual(after, [{ id: 'uncommitted' }]);
  });

  it('re-runs the group mates of a transaction that made SQLite abort the group; only the culprit fails', async () => {
    await sql`create table unique_names (name text primary key)`.execute(handle.db);
    await sql`insert into unique_names (name) values ('taken')`.execute(handle.db);
    const runs = { before: 0, after: 0 };
    let writeAfterAbort: unknown;
    const results = await Promise.allSettled([
      handle.db.transaction().execute(async (trx) => {
        runs.before += 1;
        await sql`insert into items (id, n) values ('mate-before', 1)`.execute(trx);
      }),
      handle.db.transaction().execute(async (trx) => {
        try {
          await sql`insert or rollback into unique_names (name) values ('taken')`.execute(trx);
        } finally {
          // SQLite ended the transaction: a further statement must not run outside of it.
          writeAfterAbort = await sql`insert into items (id, n) values ('after-abort', 1)`.execute(trx).catch((e) => e);
        }
      }),
      handle.db.transaction().execute(async (trx) => {
        runs.after += 1;
        await sql`insert into items (id, n) values ('mate-after', 1)`.execute(trx);
      }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const culpritError = (results[1] as PromiseRejectedResult).reason as { code?: string };
    assert.match(String(culpritError.code), /^SQLITE_CONSTRAINT/);
    assert.ok(writeAfterAbort instanceof Error);
    assert.deepEqual(runs, { before: 2, after: 1 });
    assert.ok(rows().includes('mate-before') && rows().includes('mate-after'));
    assert.ok(!rows().includes('after-abort'));
  });

  it('supports savepoints inside a transaction', async () => {
    const trx = await handle.db.startTransaction().execute();
    await sql`insert into items (id, n) values ('kept-before-savepoint', 1)`.execute(trx);
    const afterKept = await trx.savepoint('before_undone').execute();
    await sql`insert into items (id, n) values ('undone-by-savepoint', 1)`.execute(afterKept);
    await afterKept.rollbackToSavepoint('before_undone').execute();
    await afterKept.releaseSavepoint('before_undone').execute();
    await trx.commit().execute();
    assert.ok(rows().includes('kept-before-savepoint'));
    assert.ok(!rows().includes('undone-by-savepoint'));
  });

  it('maps rows by the current column order after another connection recreated a table', async () => {
    await sql`create table shape (a text, b text)`.execute(handle.db);
    await sql`insert into shape (a, b) values ('A', 'B')`.execute(handle.db);
    const readOutside = async () => (await sql`select * from shape`.execute(handle.db)).rows;
    const readInside = () =>
      handle.db.transaction().execute(async (trx) => (await sql`select * from shape`.execute(trx)).rows);
    assert.deepEqual(await readOutside(), [{ a: 'A', b: 'B' }]);
    assert.deepEqual(await readInside(), [{ a: 'A', b: 'B' }]);
    observer.exec(`
      create table shape_new (b text, a text);
      insert into shape_new (b, a) select b, a from shape;
      drop table shape;
      alter table shape_new rename to shape;
    `);
    assert.deepEqual(await readOutside(), [{ b: 'B', a: 'A' }]);
    assert.deepEqual(await readInside(), [{ b: 'B', a: 'A' }]);
  });
});

describe('SQLite group commit when the flush cannot roll back', () => {
  it('settles every waiter of the group and recovers on the next transaction', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-group-'));
    const path = join(dir, 'test.db');
    const writer = new SQLite(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('foreign_keys = ON');
    writer.exec(`
      create table parent (id text primary key);
      create table child (id text primary key, parent_id text references parent (id) deferrable initially deferred);
    `);
    const db = new Kysely<unknown>({
      dialect: new GroupCommitSqliteDialect(new GroupCommitSqliteDriver(writer, new SQLite(path, { readonly: true }))),
    });
    const exec = writer.exec.bind(writer);
    let failRollback = true;
    // The one fault we cannot provoke for real: a ROLLBACK that fails (I/O error).
    writer.exec = (source: string) => {
      if (failRollback && /^\s*rollback\s*$/i.test(source)) throw new Error('disk I/O error (injected)');
      return exec(source);
    };
    try {
      // The orphan passes its statement (the key is deferred) and fails the group's COMMIT.
      const results = await Promise.allSettled(
        ['orphan', 'mate-1', 'mate-2'].map((id) =>
          db
            .transaction()
            .execute((trx) =>
              sql`insert into child (id, parent_id) values (${id}, ${id === 'orphan' ? 'none' : null})`.execute(trx),
            ),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'rejected', 'rejected'],
      );
      failRollback = false;
      await db
        .transaction()
        .execute((trx) => sql`insert into child (id, parent_id) values ('later', null)`.execute(trx));
      const { rows: children } = await sql<{ id: string }>`select id from child order by id`.execute(db);
      assert.deepEqual(children, [{ id: 'later' }]);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
