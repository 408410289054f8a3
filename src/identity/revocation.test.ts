import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
    let processA: TestServer;
    let processB: ReturnType<typeof startApiProcess>;
    let baseUrlB: string;
    before(async () => {
      processA = await startTestServer('postgres');
      processB = startApiProcess(processA.database.env);
      baseUrlB = await processB.baseUrl;
    });
    after(async () => {
      await stopChildProcess(processB.child);
      await processA.close();
    });

    it('is refused by the other process on its very next request', async () => {
      const tenant = await createTenant(processA);
      const key = await createApiKey(processA, tenant.customerId, 'member');
      const roleAsSeenByB = async () =>
        (await request<{ role: CustomerRole }>(baseUrlB, 'GET', '/v1/me', { token: key.key })).body.role;
      // Changed beside the service (no announcement), the key's role tells a read from a cache hit.
      const setRole = (role: CustomerRole) =>
        processA.database.db
          .updateTable('api_keys')
          .set({ role })
          .where('id', '=', key.id as ApiKeyId)
          .execute();
      // B caches only once its LISTEN connection is up: wait until it answers from its cache.
      await waitFor(
        async () => {
          await setRole('member');
          if ((await roleAsSeenByB()) !== 'member') return false;
          await setRole('viewer');
          return (await roleAsSeenByB()) === 'member';
        },
        30_000,
        'process B serving the key from its cache',
      );

      const revoked = await request(processA.baseUrl, 'DELETE', `/v1/api-keys/${key.id}`, { token: tenant.apiKey });
      assert.equal(revoked.status, 200);
      const next = await request(baseUrlB, 'GET', '/v1/me', { token: key.key });
      assert.equal(next.status, 401);
      assert.equal(next.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await request(processA.baseUrl, 'GET', '/v1/me', { token: key.key })).status, 401);
    });
  });
}
