import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { EVENT_CATALOG, validateEventData } from './catalog.ts';
import { LOOPBACK_ENV } from './testing/harness.ts';
import type { EndpointId } from './ids.ts';

type Created = { webhook: { id: string; status: string; events: string[]; active: boolean }; secret: string };

for (const dialect of TEST_DIALECTS) {
  describe(`webhook endpoints over HTTP on ${dialect}`, () => {
    let server: TestServer;
    let strict: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { env: { ...LOOPBACK_ENV, WEBHOOK_MAX_ENDPOINTS: '3' } });
      strict = await startTestServer(dialect);
    });
    after(async () => {
      await server.close();
      await strict.close();
    });

    it('creates an endpoint, returns the whsec_ secret once, stores it encrypted, and never shows it again', async () => {
      const tenant = await createTenant(server);
      const created = await request<Created>(server.baseUrl, 'POST', '/v1/webhooks', {
        token: tenant.apiKey,
        body: { url: 'http://127.0.0.1:9999/hook', events: ['ticket.created', 'ticket.created'], description: 'sync' },
      });
      assert.equal(created.status, 201);
      assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(created.body.secret.slice(6), 'base64').length, 32);
      assert.deepEqual(created.body.webhook.events, ['ticket.created']);
      assert.equal(created.body.webhook.status, 'enabled');
      const row = await server.ctx.database.db
        .selectFrom('webhook_endpoints')
        .select('secrets')
        .where('id', '=', created.body.webhook.id as EndpointId)
        .executeTakeFirstOrThrow();
      assert.ok(!row.secrets.includes(created.body.secret.slice(6)), 'the secret is not stored in clear');
      assert.match(row.secrets, /"sealed":"v2:[0-9a-f]{16}:/);
      const read = await request(server.baseUrl, 'GET', `/v1/webhooks/${created.body.webhook.id}`, {
        token: tenant.apiKey,
      });
      assert.equal(read.status, 200);
      assert.ok(!read.text.includes('whsec_') && !read.text.includes('secret'));
      const list = await request<{ webhooks: unknown[] }>(server.baseUrl, 'GET', '/v1/webhooks', {
        token: tenant.apiKey,
      });
      assert.equal(list.body.webhooks.length, 1);
      assert.ok(!list.text.includes('whsec_'));
    });

    it('updates with PATCH and PUT, disables and re-enables, deletes', async () => {
      const tenant = await createTenant(server);
      const { body } = await request<Created>(server.baseUrl, 'POST', '/v1/webhooks', {
        token: tenant.apiKey,
        body: { url: 'http://127.0.0.1:9999/a', events: ['*'] },
      });
      const id = body.webhook.id;
      const patched = await request<{
        status: string;
        active: boolean;
        url: string;
        rate_limit_per_second: number;
        retry_schedule_seconds: number[];
      }>(server.baseUrl, 'PATCH', `/v1/webhooks/${id}`, {
        token: tenant.apiKey,
        body: {
          active: false,
          url: 'http://127.0.0.1:9999/b',
          rate_limit_per_second: 5,
          retry_schedule_seconds: [0, 1, 2],
        },
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.status, 'disabled_by_user');
      assert.equal(patched.body.active, false);
      assert.equal(patched.body.url, 'http://127.0.0.1:9999/b');
      assert.equal(patched.body.rate_limit_per_second, 5);
      assert.deepEqual(patched.body.retry_schedule_seconds, [0, 1, 2]);
      const put = await request<{ status: string }>(server.baseUrl, 'PUT', `/v1/webhooks/${id}`, {
        token: tenant.apiKey,
        body: { active: true },
      });
      assert.equal(put.body.status, 'enabled');
      assert.equal(
        (await request(server.baseUrl, 'PATCH', `/v1/webhooks/${id}`, { token: tenant.apiKey, body: { secret: 'x' } }))
          .status,
        400,
      );
      assert.equal(
        (await request(server.baseUrl, 'DELETE', `/v1/webhooks/${id}`, { token: tenant.apiKey })).status,
        204,
      );
      assert.equal((await request(server.baseUrl, 'GET', `/v1/webhooks/${id}`, { token: tenant.apiKey })).status, 404);
    });

    it('refuses bad input, naming the field', async () => {
      const tenant = await createTenant(server);
      const cases: [unknown, string][] = [
        [{ url: 'not a url', events: ['*'] }, 'url'],
        [{ url: 'http://user:pw@127.0.0.1:9999/x', events: ['*'] }, 'url'],
        [{ url: 'http://127.0.0.1:9999/x', events: ['ticket.exploded'] }, 'events'],
        [{ url: 'http://127.0.0.1:9999/x', events: [] }, 'events'],
        [{ url: 'http://127.0.0.1:9999/x', events: ['*', 'ticket.created'] }, 'events'],
        [{ url: 'http://127.0.0.1:9999/x', events: ['*'], headers: { 'webhook-signature': 'forged' } }, 'headers'],
        [{ url: 'http://127.0.0.1:9999/x', events: ['*'], headers: { 'bad header': 'x' } }, 'headers'],
        [{ url: 'http://127.0.0.1:9999/x', events: ['*'], retry_schedule_seconds: [] }, 'retry_schedule_seconds'],
      ];
      for (const [body, field] of cases) {
        const res = await request<{ errors?: { field: string }[] }>(server.baseUrl, 'POST', '/v1/webhooks', {
          token: tenant.apiKey,
          body,
        });
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
        assert.ok(
          res.body.errors?.some((e) => e.field.includes(field)),
          `${JSON.stringify(body)} names ${field}: ${res.text}`,
        );
      }
    });

    it('refuses http, private, loopback, metadata and IPv6-embedded targets without operator permission', async () => {
      const tenant = await createTenant(strict);
      const urls = [
        'http://example.com/hook', // plain http
        'https://127.0.0.1/hook',
        'https://10.1.2.3/hook',
        'https://192.168.0.10/hook',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]/hook',
        'https://[::ffff:127.0.0.1]/hook',
        'https://[64:ff9b::a9fe:a9fe]/hook',
        'https://[2002:7f00:1::]/hook',
        'https://metadata.google.internal/computeMetadata/v1',
        'https://localhost/hook',
        'https://2130706433/hook',
      ];
      for (const url of urls) {
        const res = await request<{ errors?: { field: string }[] }>(strict.baseUrl, 'POST', '/v1/webhooks', {
          token: tenant.apiKey,
          body: { url, events: ['*'] },
        });
        assert.equal(res.status, 400, `${url} → ${res.status}`);
        assert.equal(res.body.errors?.[0]?.field, 'url');
      }
    });

    it('hints at WEBHOOK_ALLOW_HTTP when an http URL is refused', async () => {
      const tenant = await createTenant(strict);
      const res = await request<{ errors?: { field: string; message: string }[] }>(
        strict.baseUrl,
        'POST',
        '/v1/webhooks',
        { token: tenant.apiKey, body: { url: 'http://example.com/hook', events: ['*'] } },
      );
      assert.equal(res.status, 400);
      assert.match(res.body.errors?.[0]?.message ?? '', /WEBHOOK_ALLOW_HTTP/);
    });

    it('takes webhook_id in the query-string aliases, webhookId as a deprecated alias', async () => {
      const tenant = await createTenant(server);
      const { body } = await request<Created>(server.baseUrl, 'POST', '/v1/webhooks', {
        token: tenant.apiKey,
        body: { url: 'http://127.0.0.1:9999/q', events: ['*'] },
      });
      const id = body.webhook.id;
      for (const query of [`webhook_id=${id}`, `webhookId=${id}`, `webhook_id=${id}&webhookId=${id}`]) {
        const res = await request<{ deliveries: unknown[] }>(
          server.baseUrl,
          'GET',
          `/v1/webhooks/deliveries?${query}`,
          { token: tenant.apiKey },
        );
        assert.equal(res.status, 200, `${query} → ${res.text}`);
        assert.deepEqual(res.body.deliveries, []);
      }
      for (const [query, field] of [
        ['', 'webhook_id'],
        [`webhook_id=${id}&webhookId=wh_other`, 'webhookId'],
      ] as const) {
        const res = await request<{ errors?: { field: string }[] }>(
          server.baseUrl,
          'GET',
          `/v1/webhooks/deliveries?${query}`,
          { token: tenant.apiKey },
        );
        assert.equal(res.status, 400, `${query} → ${res.text}`);
        assert.equal(res.body.errors?.[0]?.field, field);
      }
      const spec = await request<{
        paths: Record<
          string,
          { get?: { parameters?: { name: string; deprecated?: boolean; schema?: { deprecated?: boolean } }[] } }
        >;
      }>(server.baseUrl, 'GET', '/v1/openapi.json');
      const params = spec.body.paths['/v1/webhooks/deliveries']?.get?.parameters ?? [];
      assert.ok(params.some((p) => p.name === 'webhook_id'));
      const alias = params.find((p) => p.name === 'webhookId');
      assert.ok(alias?.deprecated === true || alias?.schema?.deprecated === true, JSON.stringify(alias));
      const webhookPaths = Object.entries(spec.body.paths).filter(
        ([path]) => path.startsWith('/v1/webhooks') || path === '/v1/events',
      );
      assert.ok(!/\bseed\b/i.test(JSON.stringify(webhookPaths)), 'no description speaks of "the seed"');
    });

    it('enforces the per-tenant cap', async () => {
      const tenant = await createTenant(server);
      for (let i = 0; i < 3; i += 1)
        assert.equal(
          (
            await request(server.baseUrl, 'POST', '/v1/webhooks', {
              token: tenant.apiKey,
              body: { url: `http://127.0.0.1:9999/${i}`, events: ['*'] },
            })
          ).status,
          201,
        );
      const fourth = await request(server.baseUrl, 'POST', '/v1/webhooks', {
        token: tenant.apiKey,
        body: { url: 'http://127.0.0.1:9999/4', events: ['*'] },
      });
      assert.equal(fourth.status, 422);
    });

    it("answers 404 for another tenant's endpoint on every route, and 403 to viewers and staff writing", async () => {
      const owner = await createTenant(server);
      const other = await createTenant(server);
      const { body } = await request<Created>(server.baseUrl, 'POST', '/v1/webhooks', {
        token: owner.apiKey,
        body: { url: 'http://127.0.0.1:9999/x', events: ['*'] },
      });
      const id = body.webhook.id;
      const routes: [string, string, unknown?][] = [
        ['GET', `/v1/webhooks/${id}`],
        ['PATCH', `/v1/webhooks/${id}`, { description: 'x' }],
        ['PUT', `/v1/webhooks/${id}`, { description: 'x' }],
        ['DELETE', `/v1/webhooks/${id}`],
        ['POST', `/v1/webhooks/${id}/rotate-secret`, {}],
        ['POST', `/v1/webhooks/${id}/test`],
        ['GET', `/v1/webhooks/${id}/deliveries`],
        ['GET', `/v1/webhooks/deliveries?webhookId=${id}`],
        ['GET', `/v1/webhooks/${id}/deliveries/msg_x`],
        ['POST', `/v1/webhooks/${id}/deliveries/msg_x/retry`],
        ['POST', `/v1/webhooks/${id}/recover`, { since: '2026-01-01T00:00:00Z' }],
        ['GET', `/v1/webhooks/${id}/stats`],
        ['POST', `/v1/webhooks/test?webhookId=${id}`],
      ];
      for (const [method, path, reqBody] of routes) {
        const res = await request(server.baseUrl, method, path, {
          token: other.apiKey,
          ...(reqBody ? { body: reqBody } : {}),
        });
        assert.equal(res.status, 404, `${method} ${path} → ${res.status}`);
      }
      const viewer = await createCustomerUser(server, owner.customerId, 'viewer');
      assert.equal((await request(server.baseUrl, 'GET', `/v1/webhooks/${id}`, { token: viewer.token })).status, 200);
      assert.equal(
        (await request(server.baseUrl, 'DELETE', `/v1/webhooks/${id}`, { token: viewer.token })).status,
        403,
      );
      const staff = await createStaffUser(server, 'platform_admin');
      assert.equal((await request(server.baseUrl, 'GET', `/v1/webhooks/${id}`, { token: staff.token })).status, 403);
    });

    it('serves the catalog with a schema and an example for every type of the spec', async () => {
      const tenant = await createTenant(server);
      const res = await request<{
        event_types: {
          type: string;
          description: string;
          schema: { type: string };
          example: { type: string; data: unknown };
        }[];
      }>(server.baseUrl, 'GET', '/v1/webhooks/event-types', { token: tenant.apiKey });
      assert.equal(res.status, 200);
      const types = res.body.event_types.map((e) => e.type);
      for (const t of [
        'invoice.created',
        'invoice.paid',
        'invoice.overdue',
        'ticket.created',
        'ticket.updated',
        'ticket.resolved',
        'compliance.scan_completed',
        'compliance.finding_critical',
        'usage.threshold_exceeded',
        'api_key.created',
        'api_key.revoked',
        'ticket.commented',
        'ticket.reopened',
        'ticket.closed',
        'ticket.sla_warning',
        'ticket.sla_breached',
        'cost.budget_threshold_reached',
        'cost.forecast_exceeds_budget',
        'cost.anomaly_detected',
        'notification.created',
        'webhook.endpoint_disabled',
      ]) {
        assert.ok(types.includes(t), t);
      }
      assert.equal(types.length, EVENT_CATALOG.length);
      for (const e of res.body.event_types) {
        assert.ok(e.description.length > 0);
        assert.equal(e.schema.type, 'object');
        assert.equal(e.example.type, e.type);
        assert.deepEqual(validateEventData(e.type, e.example.data), [], `${e.type}: its example matches its schema`);
      }
    });

    it('lets platform admins publish external events, validated against the catalog', async () => {
      const tenant = await createTenant(server);
      const admin = await createStaffUser(server, 'platform_admin');
      const good = await request<{ id: string }>(server.baseUrl, 'POST', '/v1/events', {
        token: admin.token,
        body: {
          type: 'invoice.paid',
          customer_id: tenant.customerId,
          data: {
            invoice_id: 'inv_1',
            amount: 10,
            currency: 'USD',
            due_date: '2026-12-01',
            paid_at: '2026-11-30T10:00:00Z',
          },
        },
      });
      assert.equal(good.status, 202, good.text);
      assert.match(good.body.id, /^evt_/);
      const stored = await server.ctx.database.db
        .selectFrom('events')
        .selectAll()
        .where('id', '=', good.body.id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.customer_id, tenant.customerId);
      assert.equal(
        (
          await request(server.baseUrl, 'POST', '/v1/events', {
            token: admin.token,
            body: { type: 'invoice.paid', customer_id: tenant.customerId, data: { amount: 'ten' } },
          })
        ).status,
        400,
      );
      assert.equal(
        (
          await request(server.baseUrl, 'POST', '/v1/events', {
            token: admin.token,
            body: { type: 'ticket.created', customer_id: tenant.customerId, data: {} },
          })
        ).status,
        400,
      );
      assert.equal(
        (
          await request(server.baseUrl, 'POST', '/v1/events', {
            token: tenant.apiKey,
            body: { type: 'invoice.paid', customer_id: tenant.customerId, data: {} },
          })
        ).status,
        403,
      );
    });
  });
}
