import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import type { Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { TEST_DIALECTS } from '../testing/database.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

interface SchemaNode {
  description?: string;
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

/** Request and response fields and parameters of an OpenAPI document that lack a description. */
function undocumentedFields(spec: unknown): string[] {
  const missing: string[] = [];
  const walk = (schema: SchemaNode | undefined, path: string): void => {
    if (!schema) return;
    for (const [name, field] of Object.entries(schema.properties ?? {})) {
      if (!field.description && !field.$ref) missing.push(`${path}.${name}`);
      walk(field, `${path}.${name}`);
    }
    walk(schema.items, `${path}[]`);
    for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) walk(branch, path);
  };
  type Operation = {
    parameters?: Array<{ name: string; description?: string; schema?: SchemaNode }>;
    requestBody?: { content?: Record<string, { schema?: SchemaNode }> };
    responses?: Record<string, { content?: Record<string, { schema?: SchemaNode }> }>;
  };
  for (const [path, methods] of Object.entries((spec as { paths: Record<string, Record<string, Operation>> }).paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const parameter of operation.parameters ?? [])
        if (!parameter.description && !parameter.schema?.description)
          missing.push(`${where} parameter ${parameter.name}`);
      walk(operation.requestBody?.content?.['application/json']?.schema, `${where} body`);
      for (const [status, response] of Object.entries(operation.responses ?? {}))
        walk(response.content?.['application/json']?.schema, `${where} ${status}`);
    }
  }
  return missing;
}

for (const dialect of TEST_DIALECTS) {
  describe(`HTTP conventions on ${dialect}`, () => {
    let server: TestServer;
    let apiKey: string;
    before(async () => {
      server = await startTestServer(dialect, { env: { BODY_LIMIT_BYTES: '4096', METRICS_TOKEN } });
      apiKey = (await createTenant(server)).apiKey;
    });
    after(async () => server.close());

    const post = (body: unknown, headers: Record<string, string> = {}) =>
      request<Problem>(server.baseUrl, 'POST', '/v1/api-keys', { token: apiKey, body, headers });

    it('answers unknown routes with a problem+json 404', async () => {
      const response = await request<Problem>(server.baseUrl, 'GET', '/v1/nope', { token: apiKey });
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(response.body.status, 404);
      assert.ok(response.body.type && response.body.title && response.body.detail);
    });

    it('answers a known path asked with the wrong method with 405 and Allow', async () => {
      const response = await request<Problem>(server.baseUrl, 'PATCH', '/healthz', { token: apiKey, body: {} });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'GET, HEAD');
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(response.body.status, 405);
      const withParameter = await request<Problem>(server.baseUrl, 'POST', '/v1/support/tickets/SB-1/history/', {
        token: apiKey,
        body: {},
      });
      assert.equal(withParameter.status, 405);
      assert.equal(withParameter.headers.get('allow'), 'GET, HEAD');
      assert.equal((await request(server.baseUrl, 'DELETE', '/v1/nope/deeper', { token: apiKey })).status, 404);
    });

    it('answers 304 to a GET whose If-None-Match names the current ETag', async () => {
      const ticket = {
        subject: 'Conditional requests',
        description: 'Caching the ticket saves a download.',
        priority: 'low',
        category: 'general',
      };
      const created = await request<{ id: string }>(server.baseUrl, 'POST', '/v1/support/tickets', {
        token: apiKey,
        body: ticket,
      });
      const path = `/v1/support/tickets/${created.body.id}`;
      const first = await request(server.baseUrl, 'GET', path, { token: apiKey });
      const etag = first.headers.get('etag') ?? '';
      assert.ok(etag, 'the ticket has an ETag');
      for (const ifNoneMatch of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
        const cached = await request(server.baseUrl, 'GET', path, {
          token: apiKey,
          headers: { 'if-none-match': ifNoneMatch },
        });
        assert.equal(cached.status, 304, ifNoneMatch);
        assert.equal(cached.text, '');
        assert.equal(cached.headers.get('etag'), etag);
      }
      const changed = await request(server.baseUrl, 'GET', path, {
        token: apiKey,
        headers: { 'if-none-match': '"999"' },
      });
      assert.equal(changed.status, 200);
      assert.deepEqual(changed.body, first.body);
    });

    it('rejects malformed JSON naming the body', async () => {
      const response = await request<Problem>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        rawBody: '{"name": ',
      });
      assert.equal(response.status, 400);
      assert.equal(response.body.errors?.[0]?.field, 'body');
      assert.ok(!response.text.includes('at JSON.parse'));
    });

    it('rejects unknown fields and wrong types naming the field', async () => {
      const unknown = await post({ name: 'k', colour: 'blue' });
      assert.equal(unknown.status, 400);
      assert.deepEqual(
        unknown.body.errors?.map((e) => e.field),
        ['colour'],
      );
      const wrongType = await post({ name: 42 });
      assert.equal(wrongType.status, 400);
      assert.equal(wrongType.body.errors?.[0]?.field, 'name');
      const badEnum = await post({ name: 'k', role: 'emperor' });
      assert.equal(badEnum.status, 400);
      assert.equal(badEnum.body.errors?.[0]?.field, 'role');
      const missing = await post({});
      assert.equal(missing.body.errors?.[0]?.field, 'name');
      assert.equal(missing.body.errors?.[0]?.message, 'is required');
    });

    it('answers an oversized body with 413', async () => {
      const response = await post({ name: 'x'.repeat(10_000) });
      assert.equal(response.status, 413);
      assert.equal(response.body.status, 413);
    });

    it('answers a non-JSON content type with 415', async () => {
      const response = await request<Problem>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        rawBody: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.status, 415);
    });

    it('echoes a safe request id and generates one otherwise', async () => {
      const given = await request(server.baseUrl, 'GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
      assert.equal(given.headers.get('x-request-id'), 'trace-123');
      const generated = await request(server.baseUrl, 'GET', '/healthz', {
        headers: { 'x-request-id': 'bad id with spaces' },
      });
      assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    });

    it('serves health, readiness and Prometheus metrics to the holder of METRICS_TOKEN only', async () => {
      assert.equal((await request(server.baseUrl, 'GET', '/healthz')).status, 200);
      assert.equal((await request(server.baseUrl, 'GET', '/readyz')).status, 200);
      const metrics = await request(server.baseUrl, 'GET', '/metrics', { token: METRICS_TOKEN });
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /securebase_http_request_duration_seconds_bucket/);
      for (const token of [undefined, 'wrong-token-of-some-length', `${METRICS_TOKEN}x`, apiKey]) {
        const refused = await request<Problem>(server.baseUrl, 'GET', '/metrics', { ...(token ? { token } : {}) });
        assert.equal(refused.status, 401, `token ${token}`);
        assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
        assert.ok(!refused.text.includes('securebase_'));
      }
    });

    it('disables /metrics with 404 when METRICS_TOKEN is unset', async () => {
      const bare = await startTestServer(dialect);
      try {
        const response = await request<Problem>(bare.baseUrl, 'GET', '/metrics', { token: METRICS_TOKEN });
        assert.equal(response.status, 404);
        assert.match(response.body.detail, /METRICS_TOKEN/);
      } finally {
        await bare.close();
      }
    });

    it('documents the operations routes with operation ids', async () => {
      const spec = await request<{ paths: Record<string, Record<string, { tags?: string[]; operationId?: string }>> }>(
        server.baseUrl,
        'GET',
        '/v1/openapi.json',
      );
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const operation = spec.body.paths[path]?.get;
        assert.ok(operation, `${path} is documented`);
        assert.deepEqual(operation.tags, ['operations']);
        assert.ok(operation.operationId, `${path} has an operationId`);
      }
    });

    it('publishes OpenAPI 3.1 with summaries and a browsable reference', async () => {
      const spec = await request<{ openapi: string; paths: Record<string, Record<string, { summary?: string }>> }>(
        server.baseUrl,
        'GET',
        '/v1/openapi.json',
      );
      assert.equal(spec.status, 200);
      assert.equal(spec.body.openapi, '3.1.0');
      assert.ok(spec.body.paths['/v1/support/tickets']);
      for (const [path, methods] of Object.entries(spec.body.paths)) {
        for (const [method, operation] of Object.entries(methods))
          assert.ok(operation.summary, `${method} ${path} has no summary`);
      }
      assert.deepEqual(undocumentedFields(spec.body), [], 'every field and parameter has a description');
      const docs = await fetch(`${server.baseUrl}/docs/`);
      assert.equal(docs.status, 200);
      assert.match(await docs.text(), /swagger/i);
    });

    it('replays an idempotent POST, rejects a changed body with 422', async () => {
      const headers = { 'idempotency-key': `key-${Date.now()}` };
      const first = await request<{ key: string }>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        body: { name: 'idem' },
        headers,
      });
      const second = await request<{ key: string }>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        body: { name: 'idem' },
        headers,
      });
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.equal(second.body.key, first.body.key);
      const stored = await server.database.db
        .selectFrom('idempotency_keys')
        .select('response_body')
        .where('key', '=', headers['idempotency-key'])
        .executeTakeFirstOrThrow();
      assert.ok(!stored.response_body?.includes(first.body.key), 'the stored response is encrypted');
      const changed = await request<Problem>(server.baseUrl, 'POST', '/v1/api-keys', {
        token: apiKey,
        body: { name: 'other' },
        headers,
      });
      assert.equal(changed.status, 422);
      assert.equal(changed.body.errors?.[0]?.field, 'idempotency-key');
    });
  });

  describe(`rate limits on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { env: { RATE_LIMIT_PER_HOUR: 'standard=3' } });
    });
    after(async () => server.close());

    it('sends RateLimit headers and 429 with Retry-After past the tier limit', async () => {
      const { apiKey } = await createTenant(server);
      const first = await request(server.baseUrl, 'GET', '/v1/me', { token: apiKey });
      assert.equal(first.headers.get('ratelimit-limit'), '3');
      assert.equal(first.headers.get('ratelimit-remaining'), '2');
      await request(server.baseUrl, 'GET', '/v1/me', { token: apiKey });
      await request(server.baseUrl, 'GET', '/v1/me', { token: apiKey });
      const limited = await request<Problem>(server.baseUrl, 'GET', '/v1/me', { token: apiKey });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.match(limited.headers.get('content-type') ?? '', /problem\+json/);
      const other = await createTenant(server);
      assert.equal(
        (await request(server.baseUrl, 'GET', '/v1/me', { token: other.apiKey })).status,
        200,
        'limits are per credential',
      );
    });
  });
}
