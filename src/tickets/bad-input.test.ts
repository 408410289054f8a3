import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '../database/ids.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createApiKey, createCustomerUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import type { Problem } from '../testing/http.ts';
import { api, openTicket, ticketBody } from './test-helpers.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`ticket bad input on ${dialect}`, () => {
    let server: TestServer;
    let tenant: Awaited<ReturnType<typeof createTenant>>;
    const create = (body: unknown, token = tenant.apiKey) =>
      api<Problem>(server, 'POST', '/v1/support/tickets', { token, body });
    const expectProblem = (
      response: { status: number; headers: Headers; body: Problem },
      status: number,
      field?: string,
    ) => {
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(response.body.status, status);
      if (field) assert.equal(response.body.errors?.[0]?.field, field, JSON.stringify(response.body));
    };

    before(async () => {
      server = await startTestServer(dialect);
      tenant = await createTenant(server);
    });
    after(async () => {
      await server.close();
    });

    it('malformed JSON → 400 naming the body', async () => {
      const response = await api<Problem>(server, 'POST', '/v1/support/tickets', {
        token: tenant.apiKey,
        rawBody: '{"subject": "Broken JSON here",',
      });
      expectProblem(response, 400, 'body');
    });

    it('wrong types → 400 naming the field', async () => {
      expectProblem(await create(ticketBody({ subject: 12345 })), 400, 'subject');
      expectProblem(await create(ticketBody({ tags: 'not-an-array' })), 400, 'tags');
      // NUL cannot be stored in PostgreSQL text: refused up front on both dialects.
      expectProblem(await create(ticketBody({ subject: 'Null \u0000 byte here' })), 400, 'subject');
      expectProblem(await create([ticketBody()]), 400);
      const ticket = await openTicket(server, tenant.apiKey);
      expectProblem(
        await api<Problem>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
          token: tenant.apiKey,
          body: { tags: [1, 2] },
        }),
        400,
        'tags.0',
      );
      expectProblem(
        await api<Problem>(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
          token: tenant.apiKey,
          body: { body: 42 },
        }),
        400,
        'body',
      );
      expectProblem(
        await api<Problem>(server, 'GET', '/v1/support/tickets?limit=abc', { token: tenant.apiKey }),
        400,
        'limit',
      );
      expectProblem(
        await api<Problem>(server, 'GET', '/v1/support/tickets?created_after=yesterday', { token: tenant.apiKey }),
        400,
        'created_after',
      );
    });

    it('unknown fields → 400 naming the field (body and query)', async () => {
      expectProblem(await create(ticketBody({ created_by: uuidv7() })), 400, 'created_by');
      const ticket = await openTicket(server, tenant.apiKey);
      expectProblem(
        await api<Problem>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
          token: tenant.apiKey,
          body: { subject: 'Renamed subject' },
        }),
        400,
        'subject',
      );
      expectProblem(
        await api<Problem>(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
          token: tenant.apiKey,
          body: { body: 'hi', author_id: uuidv7() },
        }),
        400,
        'author_id',
      );
      expectProblem(
        await api<Problem>(server, 'GET', '/v1/support/tickets?colour=red', { token: tenant.apiKey }),
        400,
        'colour',
      );
    });

    it('oversized body → 413', async () => {
      const response = await api<Problem>(server, 'POST', '/v1/support/tickets', {
        token: tenant.apiKey,
        rawBody: JSON.stringify(ticketBody({ description: 'x'.repeat(1_100_000) })),
      });
      expectProblem(response, 413, 'body');
    });

    it('invalid enums → 400 naming the field', async () => {
      expectProblem(await create(ticketBody({ priority: 'urgent' })), 400, 'priority');
      expectProblem(await create(ticketBody({ category: 'sales' })), 400, 'category');
      const ticket = await openTicket(server, tenant.apiKey);
      expectProblem(
        await api<Problem>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
          token: tenant.apiKey,
          body: { status: 'done' },
        }),
        400,
        'status',
      );
      expectProblem(
        await api<Problem>(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
          token: tenant.apiKey,
          body: { body: 'x', visibility: 'secret' },
        }),
        400,
        'visibility',
      );
      expectProblem(
        await api<Problem>(server, 'GET', '/v1/support/tickets?status=open,done', { token: tenant.apiKey }),
        400,
        'status',
      );
      expectProblem(
        await api<Problem>(server, 'GET', '/v1/support/tickets?sort=subject', { token: tenant.apiKey }),
        400,
        'sort',
      );
      expectProblem(
        await api<Problem>(server, 'GET', '/v1/support/tickets?assignee=someone', { token: tenant.apiKey }),
        400,
        'assignee',
      );
    });

    it('lengths follow the spec, counted after trimming', async () => {
      expectProblem(await create(ticketBody({ subject: 'Hi' })), 400, 'subject');
      expectProblem(await create(ticketBody({ subject: '   Hi     ' })), 400, 'subject');
      expectProblem(await create(ticketBody({ subject: 'x'.repeat(201) })), 400, 'subject');
      assert.equal((await create(ticketBody({ subject: `  ${'x'.repeat(196)}  ` }))).status, 201);
      assert.equal((await create(ticketBody({ subject: 'Hello' }))).status, 201);
      expectProblem(await create(ticketBody({ description: 'too short' })), 400, 'description');
      expectProblem(await create(ticketBody({ description: `${' '.repeat(30)}short` })), 400, 'description');
      expectProblem(await create(ticketBody({ description: 'x'.repeat(20_001) })), 400, 'description');
      assert.equal((await create(ticketBody({ description: 'x'.repeat(20_000) }))).status, 201);
      expectProblem(await create({ description: 'A description that is long enough.' }), 400, 'subject');
      const ticket = await openTicket(server, tenant.apiKey);
      const comments = `/v1/support/tickets/${ticket.id}/comments`;
      expectProblem(
        await api<Problem>(server, 'POST', comments, { token: tenant.apiKey, body: { body: '' } }),
        400,
        'body',
      );
      expectProblem(
        await api<Problem>(server, 'POST', comments, { token: tenant.apiKey, body: { text: '   ' } }),
        400,
        'text',
      );
      expectProblem(
        await api<Problem>(server, 'POST', comments, { token: tenant.apiKey, body: { body: 'x'.repeat(20_001) } }),
        400,
        'body',
      );
      expectProblem(
        await api<Problem>(server, 'POST', comments, { token: tenant.apiKey, body: { body: 'a', text: 'b' } }),
        400,
        'text',
      );
      expectProblem(await api<Problem>(server, 'POST', comments, { token: tenant.apiKey, body: {} }), 400, 'body');
      expectProblem(
        await api<Problem>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, { token: tenant.apiKey, body: {} }),
        400,
      );
    });

    it('unknown ticket → 404; bad cursor → 400', async () => {
      for (const ref of [uuidv7(), 'SB-9999', '9999']) {
        expectProblem(await api<Problem>(server, 'GET', `/v1/support/tickets/${ref}`, { token: tenant.apiKey }), 404);
      }
      expectProblem(
        await api<Problem>(server, 'GET', '/v1/support/tickets?cursor=garbage', { token: tenant.apiKey }),
        400,
        'cursor',
      );
    });

    it('forbidden transition → 409 listing the allowed ones', async () => {
      const ticket = await openTicket(server, tenant.apiKey);
      const response = await api<Problem>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: tenant.apiKey,
        body: { status: 'waiting-customer' },
      });
      expectProblem(response, 409, 'status');
      assert.deepEqual(response.body.allowed_transitions, ['resolved', 'closed']);
    });

    it('viewer writing → 403, reading is fine', async () => {
      const viewer = await createCustomerUser(server, tenant.customerId, 'viewer');
      const readOnlyKey = await createApiKey(server, tenant.customerId, 'member', ['tickets:read']);
      const ticket = await openTicket(server, tenant.apiKey);
      for (const token of [viewer.token, readOnlyKey.key]) {
        expectProblem(await create(ticketBody(), token), 403);
        expectProblem(
          await api<Problem>(server, 'POST', '/v1/support/tickets/create', { token, body: ticketBody() }),
          403,
        );
        expectProblem(
          await api<Problem>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
            token,
            body: { status: 'closed' },
          }),
          403,
        );
        expectProblem(
          await api<Problem>(server, 'PUT', `/v1/support/tickets/${ticket.id}`, { token, body: { status: 'closed' } }),
          403,
        );
        expectProblem(
          await api<Problem>(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
            token,
            body: { body: 'hi' },
          }),
          403,
        );
        assert.equal((await api(server, 'GET', `/v1/support/tickets/${ticket.id}`, { token })).status, 200);
        assert.equal((await api(server, 'GET', '/v1/support/tickets', { token })).status, 200);
      }
    });

    it('missing, invalid or revoked credential → 401 with WWW-Authenticate', async () => {
      const key = await createApiKey(server, tenant.customerId, 'member');
      const ticket = await openTicket(server, key.key);
      await server.identity.revokeApiKey(tenant.customerId, key.id);
      const paths: [string, string][] = [
        ['GET', '/v1/support/tickets'],
        ['POST', '/v1/support/tickets'],
        ['GET', `/v1/support/tickets/${ticket.id}`],
        ['PATCH', `/v1/support/tickets/${ticket.id}`],
        ['POST', `/v1/support/tickets/${ticket.id}/comments`],
        ['GET', `/v1/support/tickets/${ticket.id}/history`],
      ];
      for (const [method, path] of paths) {
        for (const token of [undefined, 'sb_live_not-a-real-key', key.key]) {
          const response = await api<Problem>(server, method, path, {
            token,
            body: method === 'GET' ? undefined : ticketBody(),
          });
          expectProblem(response, 401);
          assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
        }
      }
    });
  });
}
