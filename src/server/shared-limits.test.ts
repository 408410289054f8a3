import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiProcess } from '../testing/api-process.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createTenant, TEST_PASSWORD } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';

const LIMIT = 20;

// Two API processes on one PostgreSQL schema, as `serve --no-worker` scales out; SQLite allows one.
if (TEST_DIALECTS.includes('postgres')) {
  describe('limits shared by two API processes on postgres', () => {
    let writer: TestServer;
    let apis: Array<ReturnType<typeof startApiProcess>>;
    let baseUrls: string[];
    before(async () => {
      writer = await startTestServer('postgres');
      const env = { ...writer.database.env, RATE_LIMIT_PER_HOUR: `standard=${LIMIT}`, TRUST_PROXY: '1' };
      apis = [startApiProcess(env), startApiProcess(env)];
      baseUrls = await Promise.all(apis.map((api) => api.baseUrl));
    });
    after(async () => {
      for (const api of apis) if (api.child.exitCode === null) api.child.kill('SIGKILL');
      await writer.close();
    });

    it('allow one rate limit between them, each answering 429 with its headers once it is spent', async () => {
      const { apiKey } = await createTenant(writer);
      const statuses: number[][] = [[], []];
      const refusals = [];
      for (let i = 0; i < 2 * LIMIT + 10; i += 1) {
        const response = await request(baseUrls[i % 2] as string, 'GET', '/v1/me', { token: apiKey });
        statuses[i % 2]?.push(response.status);
        if (response.status === 429) refusals.push(response);
      }
      const allowed = statuses.flat().filter((status) => status === 200).length;
      // Alternating traffic spends every slice either process leased, so the limit is met exactly.
      assert.equal(allowed, LIMIT);
      for (const own of statuses) assert.ok(own.includes(429), 'each process refuses');
      assert.equal(statuses.flat().length - allowed, refusals.length, 'nothing but 200 and 429');
      for (const refused of refusals) {
        assert.equal(refused.headers.get('ratelimit-limit'), String(LIMIT));
        assert.equal(refused.headers.get('ratelimit-remaining'), '0');
        assert.ok(Number(refused.headers.get('retry-after')) > 0);
      }
    });

    it('throttle failed logins to one account across both', async () => {
      const { customerId } = await createTenant(writer);
      const user = await createCustomerUser(writer, customerId);
      const login = (api: number, password: string, address: string) =>
        request(baseUrls[api] as string, 'POST', '/v1/auth/login', {
          body: { email: user.email, password },
          headers: { 'x-forwarded-for': address },
        });
      // 10 failures per account: five through each process.
      for (let i = 0; i < 10; i += 1)
        assert.equal((await login(i % 2, 'wrong password', `203.0.113.${i}`)).status, 401);
      for (const api of [0, 1]) {
        const locked = await login(api, TEST_PASSWORD, '198.51.100.1');
        assert.equal(locked.status, 429, `process ${api}`);
        assert.ok(Number(locked.headers.get('retry-after')) > 0);
      }
    });
  });
}
