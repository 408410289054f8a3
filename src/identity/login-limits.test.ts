import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createTenant, TEST_PASSWORD } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';

const QUARTER_HOUR_MS = 15 * 60_000;

// The counters live in the database on PostgreSQL and in memory on SQLite: both are covered.
for (const dialect of TEST_DIALECTS) {
  describe(`login and setup attempt limits on ${dialect}`, () => {
    const clock = manualClock();
    let server: TestServer;
    let customerId: string;
    before(async () => {
      server = await startTestServer(dialect, { clock, env: { TRUST_PROXY: '1' } });
      customerId = (await createTenant(server)).customerId;
    });
    after(async () => server.close());

    const login = (email: string, password: string, address: string) =>
      request<{ token: string }>(server.baseUrl, 'POST', '/v1/auth/login', {
        body: { email, password },
        headers: { 'x-forwarded-for': address },
      });

    it('locks an account after 10 failures from any mix of addresses, not the people sharing those addresses', async () => {
      const victim = await createCustomerUser(server, customerId);
      const neighbour = await createCustomerUser(server, customerId);
      for (let i = 0; i < 10; i += 1)
        assert.equal((await login(victim.email, 'wrong password', `203.0.113.${i}`)).status, 401);
      const locked = await login(victim.email, TEST_PASSWORD, '198.51.100.1');
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get('retry-after')) > 0);
      assert.equal((await login(neighbour.email, TEST_PASSWORD, '203.0.113.0')).status, 200);
      clock.advance(QUARTER_HOUR_MS);
      assert.equal((await login(victim.email, TEST_PASSWORD, '198.51.100.1')).status, 200);
    });

    it('answers an unknown email like a known one, 429 included', async () => {
      for (let i = 0; i < 10; i += 1)
        assert.equal((await login('nobody-at-all@example.com', 'guess', `192.0.2.${i}`)).status, 401);
      assert.equal((await login('nobody-at-all@example.com', 'guess', '192.0.2.99')).status, 429);
    });

    it("does not count successful logins, and a success clears the account's failures", async () => {
      const user = await createCustomerUser(server, customerId);
      for (let i = 0; i < 12; i += 1)
        assert.equal((await login(user.email, TEST_PASSWORD, '198.51.100.7')).status, 200);
      for (let i = 0; i < 9; i += 1)
        assert.equal((await login(user.email, 'wrong password', '198.51.100.7')).status, 401);
      assert.equal((await login(user.email, TEST_PASSWORD, '198.51.100.7')).status, 200);
      for (let i = 0; i < 9; i += 1)
        assert.equal((await login(user.email, 'wrong password', '198.51.100.7')).status, 401);
      assert.equal((await login(user.email, TEST_PASSWORD, '198.51.100.7')).status, 200);
    });

    it('limits one address at 100 failures, leaving the accounts behind it usable until then', async () => {
      clock.advance(QUARTER_HOUR_MS);
      const office = '198.51.100.200';
      const colleague = await createCustomerUser(server, customerId);
      for (let i = 0; i < 100; i += 1) {
        assert.equal((await login(`typo-${i}@example.com`, 'wrong password', office)).status, 401, `failure ${i}`);
        if (i === 10) assert.equal((await login(colleague.email, TEST_PASSWORD, office)).status, 200);
      }
      assert.equal((await login(colleague.email, TEST_PASSWORD, office)).status, 429);
      assert.equal((await login(colleague.email, TEST_PASSWORD, '198.51.100.201')).status, 200);
      clock.advance(QUARTER_HOUR_MS);
      assert.equal((await login(colleague.email, TEST_PASSWORD, office)).status, 200);
    });

    it('limits setup attempts per address and per token', async () => {
      const setup = (token: string, address: string) =>
        request(server.baseUrl, 'POST', '/v1/auth/setup', {
          body: { token, password: 'a-long-enough-password' },
          headers: { 'x-forwarded-for': address },
        });
      for (let i = 0; i < 20; i += 1) assert.equal((await setup(`guessed-token-${i}`, '192.0.2.50')).status, 401);
      assert.equal((await setup('guessed-token-x', '192.0.2.50')).status, 429);
      for (let i = 0; i < 5; i += 1) assert.equal((await setup('one-stolen-token', `192.0.2.${60 + i}`)).status, 401);
      assert.equal((await setup('one-stolen-token', '192.0.2.70')).status, 429);
      const staff = await server.identity.createStaff({
        email: 'setup-limits@securebase.test',
        name: 'Setup',
        role: 'agent',
      });
      assert.equal((await setup(staff.setupToken as string, '192.0.2.71')).status, 200);
    });
  });
}

describe('TRUST_PROXY and the session cookie', () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });

  async function loginThrough(env: Record<string, string>, headers: Record<string, string>) {
    const server = await startTestServer('sqlite', { env });
    servers.push(server);
    const user = await createCustomerUser(server, (await createTenant(server)).customerId);
    const response = await request<{ token: string }>(server.baseUrl, 'POST', '/v1/auth/login', {
      body: { email: user.email, password: TEST_PASSWORD },
      headers,
    });
    assert.equal(response.status, 200);
    const sessions = await request<{ sessions: Array<{ ip: string }> }>(server.baseUrl, 'GET', '/v1/auth/sessions', {
      token: response.body.token,
    });
    return { cookie: response.headers.get('set-cookie') ?? '', ip: sessions.body.sessions[0]?.ip };
  }

  const forwarded = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };

  it('ignores forwarding headers unless the proxy is trusted', async () => {
    const direct = await loginThrough({}, forwarded);
    assert.equal(direct.ip, '127.0.0.1');
    assert.doesNotMatch(direct.cookie, /;\s*Secure/i);
  });

  it('takes the client address and https from a trusted proxy, by hop count or CIDR', async () => {
    for (const trust of ['1', '127.0.0.0/8']) {
      const proxied = await loginThrough({ TRUST_PROXY: trust }, forwarded);
      assert.equal(proxied.ip, '203.0.113.9', trust);
      assert.match(proxied.cookie, /;\s*Secure/i, trust);
    }
    const plain = await loginThrough(
      { TRUST_PROXY: '1' },
      { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'http' },
    );
    assert.doesNotMatch(plain.cookie, /;\s*Secure/i);
  });

  it('marks the cookie Secure when PUBLIC_URL is https', async () => {
    const behindTls = await loginThrough({ PUBLIC_URL: 'https://securebase.example.com' }, {});
    assert.match(behindTls.cookie, /;\s*Secure/i);
  });
});
