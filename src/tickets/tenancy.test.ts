import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '../database/ids.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket } from './test-helpers.ts';
import { upload } from './attachments/test-helpers.ts';

/** Every route that takes a ticket `{id}`, with a body that would succeed on the caller's own ticket. */
const ROUTES: { method: string; suffix: string; body?: Record<string, unknown>; form?: boolean }[] = [
  { method: 'GET', suffix: '' },
  { method: 'PATCH', suffix: '', body: { priority: 'critical' } },
  { method: 'PUT', suffix: '', body: { priority: 'critical' } },
  { method: 'POST', suffix: '/comments', body: { body: 'Hello from another tenant' } },
  { method: 'GET', suffix: '/comments' },
  { method: 'GET', suffix: '/history' },
  { method: 'POST', suffix: '/attachments', form: true },
  { method: 'GET', suffix: '/attachments/0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b' },
];

/** The CSAT routes, tried on a resolved ticket (where the owner's rating would succeed). */
const RESOLVED_ROUTES: typeof ROUTES = [
  { method: 'POST', suffix: '/satisfaction', body: { rating: 5, comment: 'From another tenant' } },
  { method: 'GET', suffix: '/satisfaction' },
];

const withoutRequestId = (body: unknown) => {
  const { request_id: _id, ...rest } = body as Record<string, unknown>;
  return rest;
};

for (const dialect of TEST_DIALECTS) {
  describe(`ticket tenancy on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => {
      await server.close();
    });

    it("every ticket route answers 404 for another tenant's ticket, exactly like a missing one", async () => {
      const owner = await createTenant(server);
      const intruder = await createTenant(server);
      const intruderUser = await createCustomerUser(server, intruder.customerId, 'admin');
      const victim = await openTicket(server, owner.apiKey, { subject: 'Private ticket of tenant A' });
      // The intruder's tenant has no ticket 1001 at all; A's is SB-1001.
      for (const route of ROUTES) {
        // Uploads send a real file: the 404 must come before any byte is stored.
        const call = (ref: string, token: string) =>
          route.form
            ? upload(server, token, ref)
            : api(server, route.method, `/v1/support/tickets/${ref}${route.suffix}`, { token, body: route.body });
        const missing = await call(uuidv7(), intruder.apiKey);
        assert.equal(missing.status, 404, `${route.method} ${route.suffix} missing`);
        for (const ref of [victim.id, victim.reference, String(victim.number)]) {
          for (const token of [intruder.apiKey, intruderUser.token]) {
            const response = await call(ref, token);
            assert.equal(response.status, 404, `${route.method} ${ref}${route.suffix}`);
            assert.equal(response.headers.get('content-type'), missing.headers.get('content-type'));
            assert.deepEqual(withoutRequestId(response.body), withoutRequestId(missing.body));
            assert.ok(!response.text.includes('Private ticket'));
          }
        }
      }
      // Nothing changed on the victim's ticket.
      const still = await api(server, 'GET', `/v1/support/tickets/${victim.id}`, { token: owner.apiKey });
      assert.equal(still.body.priority, 'medium');
      assert.equal(still.body.comment_count, 0);
      assert.equal(still.body.version, 1);
      assert.deepEqual(still.body.attachments, []);
    });

    it("the CSAT routes answer 404 for another tenant's resolved ticket, exactly like a missing one", async () => {
      const owner = await createTenant(server);
      const intruder = await createTenant(server);
      const intruderUser = await createCustomerUser(server, intruder.customerId, 'admin');
      const agent = await createStaffUser(server);
      const victim = await openTicket(server, owner.apiKey, { subject: 'Private ticket of tenant A' });
      await api(server, 'PATCH', `/v1/support/tickets/${victim.id}`, {
        token: agent.token,
        body: { status: 'resolved' },
      });
      for (const route of RESOLVED_ROUTES) {
        const missing = await api(server, route.method, `/v1/support/tickets/${uuidv7()}${route.suffix}`, {
          token: intruder.apiKey,
          body: route.body,
        });
        assert.equal(missing.status, 404, `${route.method} ${route.suffix} missing`);
        for (const ref of [victim.id, victim.reference, String(victim.number)]) {
          for (const token of [intruder.apiKey, intruderUser.token]) {
            const response = await api(server, route.method, `/v1/support/tickets/${ref}${route.suffix}`, {
              token,
              body: route.body,
            });
            assert.equal(response.status, 404, `${route.method} ${ref}${route.suffix}`);
            assert.deepEqual(withoutRequestId(response.body), withoutRequestId(missing.body));
          }
        }
      }
      const ratings = await api<{ satisfaction: unknown[] }>(
        server,
        'GET',
        `/v1/support/tickets/${victim.id}/satisfaction`,
        {
          token: owner.apiKey,
        },
      );
      assert.deepEqual(ratings.body.satisfaction, []);
      const own = await api(server, 'POST', `/v1/support/tickets/${victim.id}/satisfaction`, {
        token: owner.apiKey,
        body: { rating: 5 },
      });
      assert.equal(own.status, 201, 'the same request succeeds for the owner');
    });

    it("lists never show another tenant's tickets", async () => {
      const a = await createTenant(server);
      const b = await createTenant(server);
      const aTicket = await openTicket(server, a.apiKey);
      const listed = await api<{ tickets: { id: string }[] }>(server, 'GET', '/v1/support/tickets?limit=100', {
        token: b.apiKey,
      });
      assert.equal(listed.status, 200);
      assert.ok(!listed.body.tickets.some((t) => t.id === aTicket.id));
    });

    it('unparseable ids are 404 too', async () => {
      const a = await createTenant(server);
      for (const ref of ['not-a-ticket', 'SB-', 'SB-12a', '-1', '99999999999']) {
        const response = await api(server, 'GET', `/v1/support/tickets/${encodeURIComponent(ref)}`, {
          token: a.apiKey,
        });
        assert.equal(response.status, 404, ref);
      }
    });
  });
}
