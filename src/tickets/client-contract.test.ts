import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser, createTenant } from '../testing/factories.ts';
import type { Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket } from './test-helpers.ts';

type Operation = {
  requestBody?: {
    content: Record<string, { schema: { properties: Record<string, { maxLength?: number; description?: string }> } }>;
  };
};

// What a client reads besides the happy path: refusals that say what is wrong, validators that
// move when the reader's view moves, and an OpenAPI document that agrees with the server.
for (const dialect of TEST_DIALECTS) {
  describe(`ticket client contract on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => {
      await server.close();
    });

    it('a staff comment on a closed ticket says the ticket is closed, not that a status move failed', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server, 'agent');
      const ticket = await openTicket(server, tenant.apiKey);
      const path = `/v1/support/tickets/${ticket.id}`;
      assert.equal(
        (await api(server, 'PATCH', path, { token: tenant.apiKey, body: { status: 'closed' } })).status,
        200,
      );
      const reply = await api<Problem & { hint?: string; current_status?: string }>(
        server,
        'POST',
        `${path}/comments`,
        { token: agent.token, body: { body: 'One more thing' } },
      );
      assert.equal(reply.status, 409);
      assert.match(reply.body.detail, new RegExp(`${ticket.reference} is closed and takes no more comments`));
      assert.equal(reply.body.errors, undefined, 'no field of the request is at fault');
      assert.equal(reply.body.current_status, 'closed');
      assert.match(String(reply.body.hint), /follow-up ticket/);
    });

    it('transition refusals use the right article', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const denied = await api<Problem>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: tenant.apiKey,
        body: { status: 'in-progress' },
      });
      assert.equal(denied.status, 409);
      assert.match(denied.body.detail, /^An open ticket cannot move from open to in-progress/);
    });

    it('GET sends the ETag that If-Match accepts; a staff ETag moves with internal notes, a customer one does not', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server, 'agent');
      const ticket = await openTicket(server, tenant.apiKey);
      const path = `/v1/support/tickets/${ticket.id}`;
      const customerTag = (await api(server, 'GET', path, { token: tenant.apiKey })).headers.get('etag');
      const staffTag = (await api(server, 'GET', path, { token: agent.token })).headers.get('etag');
      assert.equal(customerTag, '"1"');
      assert.equal(staffTag, '"1.0"');
      assert.equal(
        (
          await api(server, 'POST', `${path}/comments`, {
            token: agent.token,
            body: { body: 'Internal only', visibility: 'internal' },
          })
        ).status,
        201,
      );
      assert.equal(
        (await api(server, 'GET', path, { token: tenant.apiKey })).headers.get('etag'),
        customerTag,
        'customers cannot tell a note was written',
      );
      assert.equal((await api(server, 'GET', path, { token: agent.token })).headers.get('etag'), '"1.1"');
      const patched = await api(server, 'PATCH', path, {
        token: agent.token,
        body: { priority: 'high' },
        headers: { 'if-match': staffTag ?? '' },
      });
      assert.equal(patched.status, 200, 'a note does not make the staff ETag stale for If-Match');
      assert.equal(patched.headers.get('etag'), '"2.1"');
    });

    it('a second GET with If-None-Match gets 304', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const path = `/v1/support/tickets/${ticket.id}`;
      const first = await api(server, 'GET', path, { token: tenant.apiKey });
      const second = await api(server, 'GET', path, {
        token: tenant.apiKey,
        headers: { 'if-none-match': first.headers.get('etag') ?? '' },
      });
      assert.equal(second.status, 304);
    });

    it('OpenAPI: the subject limit in the schema is the one the server applies, and no text speaks of the seed', async () => {
      const spec = await api<{ paths: Record<string, Record<string, Operation>> }>(server, 'GET', '/v1/openapi.json');
      const subject =
        spec.body.paths['/v1/support/tickets']?.post?.requestBody?.content['application/json']?.schema.properties
          .subject;
      assert.equal(subject?.maxLength, 200);
      assert.match(String(subject?.description), /5–200 characters/);
      const tenant = await createTenant(server);
      assert.equal(
        (
          await api(server, 'POST', '/v1/support/tickets', {
            token: tenant.apiKey,
            body: { subject: 'x'.repeat(200), description: 'A description that is long enough.' },
          })
        ).status,
        201,
      );
      const ticketPaths = Object.entries(spec.body.paths).filter(([path]) => path.startsWith('/v1/support/tickets'));
      assert.ok(ticketPaths.length > 0);
      assert.doesNotMatch(JSON.stringify(ticketPaths), /\bseed/i);
    });
  });
}
