import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import type { ApiResponse, Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { nulFields } from './nul-guard.ts';

const MESSAGE = 'must not contain NUL characters';

function expectNulRefused(response: ApiResponse<Problem>, field: string, what: string): void {
  assert.equal(response.status, 400, `${what}: ${response.status} ${response.text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.deepEqual(response.body.errors?.[0], { field, message: MESSAGE }, what);
  assert.equal(response.body.detail, `${field} ${MESSAGE}`, what);
}

describe('nulFields', () => {
  it('names every string holding NUL at any depth, and keys holding NUL', () => {
    assert.deepEqual(nulFields({ a: 'ok', b: ['x', 'y\u0000'], c: { d: { e: '\u0000' } }, 'k\u0000': 1 }, null), [
      'b.1',
      'c.d.e',
      'k\\u0000',
    ]);
    assert.deepEqual(nulFields('\u0000', null), ['body']);
    assert.deepEqual(nulFields({ name: 'clean', n: 1, t: true, z: null }, null), []);
  });

  it('walks a body nested deeper than the call stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(nulFields(deep, null).length, 1);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`NUL in any input on ${dialect}`, () => {
    let server: TestServer;
    let tokens: string[];
    before(async () => {
      server = await startTestServer(dialect);
      const tenant = await createTenant(server);
      const staff = await createStaffUser(server, 'platform_admin');
      tokens = [tenant.apiKey, staff.token];
    });
    after(async () => server.close());

    const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}) =>
      request<Problem>(server.baseUrl, method, path, { token: tokens[0], ...options });

    it('refuses NUL in the reported path parameters, body strings and query values with a readable 400', async () => {
      expectNulRefused(await call('DELETE', '/v1/auth/sessions/%00'), 'id', 'session id');
      expectNulRefused(await call('GET', '/v1/webhooks/a%00b'), 'id', 'webhook id');
      expectNulRefused(await call('POST', '/v1/api-keys', { body: { name: 'k\u0000x' } }), 'name', 'api key name');
      expectNulRefused(
        await call('POST', '/v1/api-keys', { body: { name: 'k', scopes: ['tickets:read', '\u0000'] } }),
        'scopes.1',
        'nested',
      );
      expectNulRefused(await call('GET', '/v1/support/tickets?status=open%00'), 'status', 'query value');
      const ticket = await call('POST', '/v1/support/tickets', {
        body: {
          subject: 'Null \u0000 byte here',
          description: 'A description long enough.',
          priority: 'low',
          category: 'general',
        },
      });
      expectNulRefused(ticket, 'subject', 'ticket subject');
      assert.ok(!ticket.text.includes('pattern'), 'no regex in the message');
    });

    it('answers 400 naming the parameter on every documented route with a path parameter', async () => {
      const spec = await request<{ paths: Record<string, Record<string, unknown>> }>(
        server.baseUrl,
        'GET',
        '/v1/openapi.json',
      );
      let checked = 0;
      for (const [path, methods] of Object.entries(spec.body.paths)) {
        const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
        if (names.length === 0) continue;
        for (const method of Object.keys(methods)) {
          const url = path.replace(/\{[^}]+\}/g, 'a%00b');
          const body = method === 'get' || method === 'delete' ? undefined : {};
          // Routes a tenant key may not call are tried with the platform admin's session.
          let response = await call(method.toUpperCase(), url, { body });
          if (response.status === 403) response = await call(method.toUpperCase(), url, { body, token: tokens[1] });
          expectNulRefused(response, names[0] as string, `${method.toUpperCase()} ${path}`);
          checked++;
        }
      }
      assert.ok(checked >= 10, `only ${checked} routes with path parameters`);
    });
  });
}
