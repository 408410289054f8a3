import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startApiProcess, stopChildProcess } from '../testing/api-process.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createApiKey, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import type { ApiKeyId, CustomerRole } from './tables.ts';

// Two API processes on one PostgreSQL schema, as `serve --no-worker` scales out: this test process
// (A) and a spawned one (B). SQLite allows one serving process, whose own eviction identity.test.ts covers.
if (TEST_DIALECTS.includes('postgres')) {
  describe('API key revocation across API processes on postgres', () => {
    // A's LISTEN connection goes by this name, so the test can find it and cut it.
    const listenName = `sb_keys_${randomBytes(4).toString('hex')}`;
    let processA: TestServer;
    let processB: ReturnType<typeof startApiProcess>;
    let baseUrlB: string;
    before(async () => {
      const listenUrl = new URL(process.env.TEST_DATABASE_URL as string);
      listenUrl.searchParams.set('application_name', listenName);
      processA = await startTestServer('postgres', { env: { DATABASE_LISTEN_URL: listenUrl.toString() } });
      processB = startApiProcess(processA.database.env);
      baseUrlB = await processB.baseUrl;
    });
    after(async () => {
      await stopChildProcess(processB.child);
      await processA.close();
    });

    /** A member key, and how to tell whether a process answers it from its cache. */
    async function memberKey() {
      const tenant = await createTenant(processA);
      const key = await createApiKey(processA, tenant.customerId, 'member');
      const roleSeenBy = async (baseUrl: string) =>
        (await request<{ role: CustomerRole }>(baseUrl, 'GET', '/v1/me', { token: key.key })).body.role;
      // Changed beside the service (nothing announced), the key's role tells a read from a cache hit.
      const setRole = (role: CustomerRole) =>
        processA.database.db
          .updateTable('api_keys')
          .set({ role })
          .where('id', '=', key.id as ApiKeyId)
          .execute();
      /** Waits until `baseUrl` answers the key from its cache (it caches only while its LISTEN connection is up). */
      const waitUntilCachedBy = (baseUrl: string) =>
        waitFor(
          async () => {
            await setRole('member');
            if ((await roleSeenBy(baseUrl)) !== 'member') return false;
            await setRole('viewer');
            return (await roleSeenBy(baseUrl)) === 'member';
          },
          30_000,
          `${baseUrl} serving the key from its cache`,
        );
      return { tenant, key, roleSeenBy, waitUntilCachedBy };
    }

    it('is refused by the other process on its very next request', async () => {
      const { tenant, key, waitUntilCachedBy } = await memberKey();
      await waitUntilCachedBy(baseUrlB);

      const revoked = await request(processA.baseUrl, 'DELETE', `/v1/api-keys/${key.id}`, { token: tenant.apiKey });
      assert.equal(revoked.status, 200);
      const next = await request(baseUrlB, 'GET', '/v1/me', { token: key.key });
      assert.equal(next.status, 401);
      assert.equal(next.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await request(processA.baseUrl, 'GET', '/v1/me', { token: key.key })).status, 401);
    });

    it('drops the whole cache when a lost LISTEN connection is back', async () => {
      const { roleSeenBy, waitUntilCachedBy } = await memberKey();
      await waitUntilCachedBy(processA.baseUrl);
      let resumed = 0;
      // Subscribed after the cache's own subscription, so resumed after it.
      const unsubscribe = processA.ctx.liveFeed.subscribe(
        'revocation-test',
        () => {},
        () => (resumed += 1),
      );
      try {
        const { rows } = await sql<{ pid: number }>`
          select pg_terminate_backend(pid) as pid from pg_stat_activity
          where application_name = ${listenName} and query ilike 'listen %'`.execute(processA.database.db);
        assert.equal(rows.length, 1, 'one LISTEN connection cut');
        await waitFor(() => resumed === 1, 30_000, 'the LISTEN connection back');
        assert.equal(await roleSeenBy(processA.baseUrl), 'viewer', 'the key is read again');
      } finally {
        unsubscribe();
      }
    });
  });
}
