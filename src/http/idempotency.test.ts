import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { startApiProcess } from '../testing/api-process.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';

interface CreatedKey {
  key: string;
  api_key: { id: string };
}

let counter = 0;
const uniqueKey = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}`;

async function keysNamed(server: TestServer, name: string): Promise<number> {
  const rows = await server.database.db.selectFrom('api_keys').select('id').where('name', '=', name).execute();
  return rows.length;
}

async function keyState(server: TestServer, key: string): Promise<string | undefined> {
  const row = await server.database.db
    .selectFrom('idempotency_keys')
    .select('state')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.state;
}

/** A trigger that makes the given statement fail, as a crash at that point would. */
async function failWhen(
  server: TestServer,
  name: string,
  table: string,
  event: 'INSERT' | 'UPDATE',
  condition: string,
): Promise<() => Promise<void>> {
  const { db } = server.database;
  if (server.database.dialect === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} WHEN ${condition} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      )
      .execute(db);
    return async () => void (await sql.raw(`DROP TRIGGER ${name}`).execute(db));
  }
  await sql
    .raw(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION ${name}()`,
    )
    .execute(db);
  return async () => {
    await sql.raw(`DROP TRIGGER ${name} ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION ${name}()`).execute(db);
  };
}

type ApiProcess = ReturnType<typeof startApiProcess>;

for (const dialect of TEST_DIALECTS) {
  describe(`idempotency keys recorded with the change on ${dialect}`, () => {
    let server: TestServer;
    let apiKey: string;
    before(async () => {
      server = await startTestServer(dialect);
      apiKey = (await createTenant(server)).apiKey;
    });
    after(async () => server.close());

    const create = (name: string, key: string) =>
      request<CreatedKey>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        body: { name },
        headers: { 'idempotency-key': key },
      });

    it('replays a change whose response was never stored, from the results its transaction recorded', async () => {
      const key = uniqueKey('lost-response');
      const restore = await failWhen(server, 'refuse_done', 'idempotency_keys', 'UPDATE', `NEW.state = 'done'`);
      let first;
      try {
        first = await create(key, key);
      } finally {
        await restore();
      }
      assert.equal(first.status, 201, 'the committed change is answered even when its response cannot be stored');
      assert.equal(await keyState(server, key), 'committed');
      const retry = await create(key, key);
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal(retry.body.key, first.body.key, 'the same secret, not a second key');
      assert.equal(await keysNamed(server, key), 1);
      assert.equal(await keyState(server, key), 'done', 'the rebuilt response is stored');
      assert.equal((await create(key, key)).body.key, first.body.key);
    });

    it('leaves the key free when the change rolls back', async () => {
      const key = uniqueKey('rolled-back');
      const restore = await failWhen(server, 'refuse_key', 'api_keys', 'INSERT', `NEW.name = '${key}'`);
      try {
        assert.equal((await create(key, key)).status, 500);
      } finally {
        await restore();
      }
      assert.equal(await keyState(server, key), undefined);
      const retry = await create(key, key);
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), null);
      assert.equal(await keysNamed(server, key), 1);
    });

    it('lets concurrent duplicates make the change once: the others get 409 or the same response', async () => {
      const key = uniqueKey('race');
      const responses = await Promise.all(Array.from({ length: 8 }, () => create(key, key)));
      const created = responses.filter((response) => response.status === 201);
      assert.deepEqual(
        responses.filter((response) => response.status !== 201 && response.status !== 409).map((r) => r.status),
        [],
      );
      assert.ok(created.length >= 1);
      assert.equal(new Set(created.map((response) => response.body.key)).size, 1, 'every 201 carries the one secret');
      assert.equal(await keysNamed(server, key), 1);
    });
  });
}

if (TEST_DIALECTS.includes('postgres')) {
  describe('an API process killed with kill -9 during an idempotent POST on postgres', () => {
    let server: TestServer;
    let apiKey: string;
    let locker: pg.Client;
    let children: ApiProcess[] = [];
    before(async () => {
      server = await startTestServer('postgres');
      // One child per test, started together: their start-up is most of these tests' time.
      children = [startApiProcess(server.database.env), startApiProcess(server.database.env)];
      apiKey = (await createTenant(server)).apiKey;
      locker = new pg.Client({
        connectionString: server.database.env.DATABASE_URL,
        options: `-c search_path=${server.database.env.SECUREBASE_DB_SCHEMA}`,
      });
      await locker.connect();
    });
    after(async () => {
      for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
      await locker.end();
      await server.close();
    });

    /**
     * Sends the POST to a child API process whose `table` writes matching `condition` wait for an
     * advisory lock the test holds, waits until the request blocks there, then kills the process.
     */
    async function killWhileWriting(
      { child, baseUrl }: ApiProcess,
      key: string,
      table: string,
      event: 'INSERT' | 'UPDATE',
      condition: string,
    ): Promise<void> {
      await locker.query(
        `CREATE FUNCTION hold_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(7007); RETURN NEW; END $$`,
      );
      await locker.query(
        `CREATE TRIGGER hold_write BEFORE ${event} ON ${table} FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION hold_write()`,
      );
      await locker.query('SELECT pg_advisory_lock(7007)');
      try {
        const pending = request(await baseUrl, 'POST', '/v1/api-keys', {
          token: apiKey,
          body: { name: key },
          headers: { 'idempotency-key': key },
        }).catch(() => null);
        let backend: number | undefined;
        await waitFor(
          async () => {
            const waiting = await locker.query<{ pid: number }>(
              `SELECT pid FROM pg_locks WHERE NOT granted AND locktype = 'advisory' AND objid = 7007`,
            );
            backend = waiting.rows[0]?.pid;
            return backend !== undefined;
          },
          20_000,
          'the request to block',
        );
        child.kill('SIGKILL');
        await once(child, 'exit');
        assert.equal(await pending, null, 'the killed process never answered');
        // Its connection goes with it: the blocked statement must not finish after the crash.
        await locker.query('SELECT pg_terminate_backend($1)', [backend]);
        await waitFor(
          async () => (await locker.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend])).rowCount === 0,
          20_000,
          'the backend to end',
        );
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await locker.query('SELECT pg_advisory_unlock(7007)');
        await locker.query(`DROP TRIGGER hold_write ON ${table}`);
        await locker.query('DROP FUNCTION hold_write()');
      }
    }

    it('lets a retry run again when the process died before the commit', { timeout: 120_000 }, async () => {
      const key = uniqueKey('died-before-commit');
      await killWhileWriting(children[0] as ApiProcess, key, 'api_keys', 'INSERT', `NEW.name = '${key}'`);
      assert.equal(await keysNamed(server, key), 0, 'the change did not commit');
      const retry = await request<CreatedKey>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        body: { name: key },
        headers: { 'idempotency-key': key },
      });
      assert.equal(retry.status, 201, 'not 409 for 24 hours');
      assert.equal(retry.headers.get('idempotent-replayed'), null);
      assert.equal(await keysNamed(server, key), 1);
    });

    it('replays the committed change when the process died before answering', { timeout: 120_000 }, async () => {
      const key = uniqueKey('died-after-commit');
      // Storing the response after the commit is where the process dies.
      await killWhileWriting(children[1] as ApiProcess, key, 'idempotency_keys', 'UPDATE', `NEW.state = 'done'`);
      assert.equal(await keysNamed(server, key), 1, 'the change committed before the crash');
      const retry = await request<CreatedKey>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        body: { name: key },
        headers: { 'idempotency-key': key },
      });
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      const stored = await server.database.db
        .selectFrom('api_keys')
        .select('id')
        .where('name', '=', key)
        .executeTakeFirstOrThrow();
      assert.equal(retry.body.api_key.id, stored.id, 'the response of the committed change');
      assert.equal(await keysNamed(server, key), 1, 'the change was not made twice');
    });
  });
}
