import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../server/app.ts';
import { createApiKey, createCustomerUser, createTenant, TEST_PASSWORD } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { declaredRoutes } from './authenticate.ts';

/** Routes anyone may call, on purpose. Anything else public is a finding. */
const PUBLIC_ROUTES = new Set([
  // The portal: its static files and index.html for client routes.
  '/',
  '/*',
  '/assets/*',
  '/docs',
  '/docs/static/*',
  '/docs/json',
  '/docs/yaml',
  '/docs/static/index.html',
  '/docs/static/swagger-initializer.js',
  '/healthz',
  '/livez',
  '/readyz',
  '/metrics',
  '/v1/openapi.json',
  '/v1/auth/login',
  '/v1/auth/setup',
  '/v1/notifications/unsubscribe',
]);

/** Method and full path of every route in Fastify's own route tree (independent of any hook). */
function routesFromTree(tree: string): string[] {
  const routes: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    const parent = depth === 0 ? '' : (paths[depth - 1] as string);
    const segment = match[2] as string;
    const path = parent + segment;
    paths[depth] = path;
    for (const method of (match[3] as string).split(', ')) routes.push(`${method} ${path}`);
  }
  return routes;
}

for (const dialect of TEST_DIALECTS) {
  describe(`route access on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('lists every registered route with a declared access, public only where intended', () => {
      const declared = declaredRoutes(server.app);
      const fromTree = routesFromTree(server.app.printRoutes({ commonPrefix: false }));
      assert.ok(fromTree.length > 40, `only ${fromTree.length} routes parsed`);
      const declaredNames = new Set(declared.map((route) => `${route.method} ${route.url}`));
      // The radix tree prints a wildcard under its nearest printed parent (/docs/static/* as /docs*).
      const isDeclared = (route: string) =>
        declaredNames.has(route) ||
        (route.endsWith('*') &&
          [...declaredNames].some((name) => name.endsWith('*') && name.startsWith(route.slice(0, -1))));
      const undeclared = fromTree.filter((route) => !isDeclared(route));
      assert.deepEqual(undeclared, [], 'routes registered without passing the access check');
      for (const route of declared) {
        assert.ok(route.access, `${route.method} ${route.url} declares no access`);
        if (route.access === 'public')
          assert.ok(PUBLIC_ROUTES.has(route.url), `${route.method} ${route.url} is public`);
      }
    });

    it('answers 401 without a credential on every route that is not public', async () => {
      for (const route of declaredRoutes(server.app)) {
        if (route.access === 'public') continue;
        const url = route.url.replace(/:[a-z_]+/g, '0190f6d0-0000-7000-8000-000000000000');
        const response = await server.app.inject({ method: route.method as 'GET', url });
        assert.equal(response.statusCode, 401, `${route.method} ${route.url}`);
      }
    });

    it('refuses at start-up a route that declares no access', async () => {
      const app = await buildApp(server.ctx, server.identity);
      const start = async () => {
        await app.register(async (instance) => {
          instance.get('/v1/forgotten', async () => ({ open: true }));
        });
        await app.ready();
      };
      await assert.rejects(start, /GET \/v1\/forgotten declares no access/);
    });

    it("lets only the session's own user or a tenant admin revoke a session", async () => {
      const tenant = await createTenant(server);
      const owner = await request<{ token: string }>(server.baseUrl, 'POST', '/v1/auth/login', {
        body: { email: (await server.identity.findUser(tenant.ownerId))?.email, password: TEST_PASSWORD },
      });
      const sessions = await request<{ sessions: Array<{ id: string }> }>(server.baseUrl, 'GET', '/v1/auth/sessions', {
        token: owner.body.token,
      });
      const sessionId = sessions.body.sessions[0]?.id as string;
      // A viewer key the owner made acts for the owner, yet must not log the owner out.
      const viewerKey = await request<{ key: string }>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: owner.body.token,
        body: { name: 'dashboard', role: 'viewer' },
      });
      assert.equal(
        (await request(server.baseUrl, 'DELETE', `/v1/auth/sessions/${sessionId}`, { token: viewerKey.body.key }))
          .status,
        403,
      );
      const member = await createCustomerUser(server, tenant.customerId, 'member');
      assert.equal(
        (await request(server.baseUrl, 'DELETE', `/v1/auth/sessions/${sessionId}`, { token: member.token })).status,
        404,
      );
      const otherTenantAdmin = await createTenant(server);
      assert.equal(
        (await request(server.baseUrl, 'DELETE', `/v1/auth/sessions/${sessionId}`, { token: otherTenantAdmin.apiKey }))
          .status,
        404,
      );
      assert.equal((await request(server.baseUrl, 'GET', '/v1/me', { token: owner.body.token })).status, 200);

      const adminKey = await createApiKey(server, tenant.customerId, 'admin');
      assert.equal(
        (await request(server.baseUrl, 'DELETE', `/v1/auth/sessions/${sessionId}`, { token: adminKey.key })).status,
        204,
      );
      assert.equal((await request(server.baseUrl, 'GET', '/v1/me', { token: owner.body.token })).status, 401);

      const memberSessions = await request<{ sessions: Array<{ id: string }> }>(
        server.baseUrl,
        'GET',
        '/v1/auth/sessions',
        { token: member.token },
      );
      assert.equal(
        (
          await request(server.baseUrl, 'DELETE', `/v1/auth/sessions/${memberSessions.body.sessions[0]?.id}`, {
            token: member.token,
          })
        ).status,
        204,
      );
    });
  });
}
