import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createApiKey,
  createCustomerUser,
  createStaffUser,
  createTenant,
  TEST_PASSWORD,
} from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import type { ApiKeyId } from './tables.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`identity over HTTP on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('logs in with a password, sets an HttpOnly cookie, and logs out', async () => {
      const tenant = await createTenant(server);
      const user = await createCustomerUser(server, tenant.customerId, 'member');
      const login = await request<{ token: string; csrf_token: string; user: { email: string } }>(
        server.baseUrl,
        'POST',
        '/v1/auth/login',
        { body: { email: user.email.toUpperCase(), password: TEST_PASSWORD } },
      );
      assert.equal(login.status, 200);
      assert.equal(login.body.user.email, user.email);
      const cookie = login.headers.get('set-cookie') ?? '';
      assert.match(cookie, /sb_session=/);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);

      const me = await request<{ role: string; customer_id: string; email: string; name: string }>(
        server.baseUrl,
        'GET',
        '/v1/me',
        { token: login.body.token },
      );
      assert.equal(me.status, 200);
      assert.equal(me.body.email, user.email);
      assert.equal(me.body.name, 'member user');
      assert.equal(me.body.role, 'member');
      assert.equal(me.body.customer_id, tenant.customerId);

      const sessions = await request<{ sessions: unknown[] }>(server.baseUrl, 'GET', '/v1/auth/sessions', {
        token: login.body.token,
      });
      assert.equal(sessions.status, 200);
      assert.ok(sessions.body.sessions.length >= 1);

      assert.equal((await request(server.baseUrl, 'POST', '/v1/auth/logout', { token: login.body.token })).status, 204);
      assert.equal((await request(server.baseUrl, 'GET', '/v1/me', { token: login.body.token })).status, 401);
    });

    it('answers a wrong password and an unknown email with the same generic 401', async () => {
      const tenant = await createTenant(server);
      const user = await createCustomerUser(server, tenant.customerId);
      const wrong = await request<{ detail: string }>(server.baseUrl, 'POST', '/v1/auth/login', {
        body: { email: user.email, password: 'not the password' },
      });
      const unknown = await request<{ detail: string }>(server.baseUrl, 'POST', '/v1/auth/login', {
        body: { email: 'nobody@example.com', password: 'whatever' },
      });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.equal(wrong.body.detail, unknown.body.detail);
    });

    it('requires the CSRF header for cookie-authenticated writes', async () => {
      const tenant = await createTenant(server);
      const user = await createCustomerUser(server, tenant.customerId, 'admin');
      const cookie = `sb_session=${user.token}`;
      const read = await request(server.baseUrl, 'GET', '/v1/me', { headers: { cookie } });
      assert.equal(read.status, 200);
      const write = await request(server.baseUrl, 'POST', '/v1/api-keys', { headers: { cookie }, body: { name: 'x' } });
      assert.equal(write.status, 403);
      const withCsrf = await request(server.baseUrl, 'POST', '/v1/api-keys', {
        headers: { cookie, 'x-csrf-token': user.csrfToken },
        body: { name: 'x' },
      });
      assert.equal(withCsrf.status, 201);
    });

    it('rejects missing, malformed, unknown and revoked credentials with 401 and WWW-Authenticate', async () => {
      const tenant = await createTenant(server);
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Basic abc' },
        { authorization: 'Bearer sb_live_doesnotexist' },
        { authorization: 'Bearer nonsense' },
      ]) {
        const response = await request<{ status: number; type: string }>(server.baseUrl, 'GET', '/v1/me', { headers });
        assert.equal(response.status, 401, JSON.stringify(headers));
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      const key = await createApiKey(server, tenant.customerId, 'member');
      const keyMe = await request<{ email: string | null; name: string | null }>(server.baseUrl, 'GET', '/v1/me', {
        token: key.key,
      });
      assert.equal(keyMe.status, 200);
      assert.deepEqual([keyMe.body.email, keyMe.body.name], [null, null], 'a key made by the CLI has no user');
      const revoke = await request<{ revoked_at: string }>(server.baseUrl, 'DELETE', `/v1/api-keys/${key.id}`, {
        token: tenant.apiKey,
      });
      assert.equal(revoke.status, 200);
      assert.ok(revoke.body.revoked_at);
      assert.equal((await request(server.baseUrl, 'GET', '/v1/me', { token: key.key })).status, 401);
    });

    it('creates API keys shown once, hashed at rest, scoped, with last_used_at', async () => {
      const tenant = await createTenant(server);
      const created = await request<{ key: string; api_key: { id: string; prefix: string } }>(
        server.baseUrl,
        'POST',
        '/v1/api-keys',
        { token: tenant.apiKey, body: { name: 'read only', role: 'viewer', scopes: ['tickets:read'] } },
      );
      assert.equal(created.status, 201);
      assert.match(created.body.key, /^sb_live_[A-Za-z0-9_-]{43}$/);
      assert.ok(created.body.api_key.prefix.startsWith('sb_live_'));
      const row = await server.database.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', created.body.api_key.id as ApiKeyId)
        .executeTakeFirstOrThrow();
      assert.notEqual(row.key_hash, created.body.key);
      assert.ok(!JSON.stringify(row).includes(created.body.key));

      const me = await request<{ permissions: string[] }>(server.baseUrl, 'GET', '/v1/me', { token: created.body.key });
      assert.deepEqual(me.body.permissions, ['tickets:read']);
      const list = await request<{ api_keys: Array<{ id: string; last_used_at: string | null }> }>(
        server.baseUrl,
        'GET',
        '/v1/api-keys',
        { token: tenant.apiKey },
      );
      assert.ok(list.body.api_keys.find((k) => k.id === created.body.api_key.id)?.last_used_at);
      assert.ok(!list.text.includes(created.body.key));
      const events = await server.database.db
        .selectFrom('events')
        .select('type')
        .where('customer_id', '=', tenant.customerId)
        .execute();
      assert.ok(events.some((e) => e.type === 'api_key.created'));
    });

    it('forbids members from managing keys and other tenants from revoking them', async () => {
      const tenant = await createTenant(server);
      const other = await createTenant(server);
      const member = await createCustomerUser(server, tenant.customerId, 'member');
      assert.equal(
        (await request(server.baseUrl, 'POST', '/v1/api-keys', { token: member.token, body: { name: 'x' } })).status,
        403,
      );
      const key = await createApiKey(server, tenant.customerId);
      assert.equal(
        (await request(server.baseUrl, 'DELETE', `/v1/api-keys/${key.id}`, { token: other.apiKey })).status,
        404,
      );
    });

    it('expires sessions', async () => {
      const tenant = await createTenant(server);
      const user = await createCustomerUser(server, tenant.customerId);
      await server.database.db
        .updateTable('sessions')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .execute();
      assert.equal((await request(server.baseUrl, 'GET', '/v1/me', { token: user.token })).status, 401);
    });

    it('bootstraps the platform admin once, with a one-time setup token', async () => {
      // Processes starting together on a new database race; exactly one creates the admin.
      const raced = await Promise.all(
        [1, 2, 3].map(() => server.identity.bootstrapPlatformAdmin('root@securebase.test')),
      );
      const created = raced.filter((result) => result !== null);
      assert.equal(created.length, 1);
      const first = created[0];
      assert.ok(first);
      assert.equal(await server.identity.bootstrapPlatformAdmin('again@securebase.test'), null);
      const setup = await request(server.baseUrl, 'POST', '/v1/auth/setup', {
        body: { token: first.setupToken, password: 'a-long-enough-password' },
      });
      assert.equal(setup.status, 200);
      assert.equal(
        (
          await request(server.baseUrl, 'POST', '/v1/auth/setup', {
            body: { token: first.setupToken, password: 'a-long-enough-password' },
          })
        ).status,
        401,
      );
      const login = await request<{ token: string }>(server.baseUrl, 'POST', '/v1/auth/login', {
        body: { email: 'root@securebase.test', password: 'a-long-enough-password' },
      });
      assert.equal(login.status, 200);
      const tenant = await request<{ customer_id: string; key: string; api_key: string }>(
        server.baseUrl,
        'POST',
        '/v1/admin/tenants',
        { token: login.body.token, body: { name: 'Gov Agency', tier: 'government', admin_email: 'gov@example.gov' } },
      );
      assert.equal(tenant.status, 201);
      assert.match(tenant.body.key, /^sb_live_/);
      assert.equal(tenant.body.api_key, tenant.body.key, 'the deprecated name carries the same secret');
      const agent = await createStaffUser(server, 'agent');
      assert.equal(
        (
          await request(server.baseUrl, 'POST', '/v1/admin/tenants', {
            token: agent.token,
            body: { name: 'Nope Inc', tier: 'standard', admin_email: 'n@example.com' },
          })
        ).status,
        403,
      );
    });
  });
}
