import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import type { Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket, ticketEvents } from './test-helpers.ts';

type Rating = { id: string; rating: number; comment: string | null; agent_id: string | null; resolved_at: string };
type Summary = {
  count: number;
  average: number | null;
  distribution: number[];
  by_customer: { key: string; count: number; average: number }[];
  by_agent: { key: string | null; count: number; average: number }[];
};

for (const dialect of TEST_DIALECTS) {
  describe(`CSAT on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => {
      await server.close();
    });

    const resolvedTicket = async (token: string, agent: { token: string; userId: string }) => {
      const ticket = await openTicket(server, token);
      await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: agent.token,
        body: { assignee_id: agent.userId, status: 'resolved' },
      });
      return ticket;
    };
    const rate = (id: string, token: string, body: unknown) =>
      api<Rating & Problem & { current_status?: string }>(server, 'POST', `/v1/support/tickets/${id}/satisfaction`, {
        token,
        body,
      });

    it('the requester rates a resolution once; staff see it on the ticket; the event carries it', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      const ticket = await resolvedTicket(tenant.apiKey, agent);
      const before = await api(server, 'GET', `/v1/support/tickets/${ticket.id}`, { token: tenant.apiKey });
      const rated = await rate(ticket.id, tenant.apiKey, { rating: 4, comment: '  Quick fix, thanks.  ' });
      assert.equal(rated.status, 201);
      // A rating changes the view without a new version: the old ETag must not answer 304 with it hidden.
      const revalidated = await api<{ satisfaction: Rating[] }>(server, 'GET', `/v1/support/tickets/${ticket.id}`, {
        token: tenant.apiKey,
        headers: { 'if-none-match': before.headers.get('etag') ?? '' },
      });
      assert.equal(revalidated.status, 200);
      assert.equal(revalidated.body.satisfaction.length, 1);
      assert.equal(rated.body.rating, 4);
      assert.equal(rated.body.comment, 'Quick fix, thanks.');
      assert.equal(rated.body.agent_id, agent.userId, 'counts for the assignee');

      const again = await rate(ticket.id, tenant.apiKey, { rating: 5 });
      assert.equal(again.status, 409);
      assert.match(again.body.detail, /rated already/);

      const staffView = await api<{ satisfaction: Rating[] }>(server, 'GET', `/v1/support/tickets/${ticket.id}`, {
        token: agent.token,
      });
      assert.deepEqual(
        staffView.body.satisfaction.map((r) => [r.id, r.rating]),
        [[rated.body.id, 4]],
      );
      const list = await api<{ satisfaction: Rating[] }>(
        server,
        'GET',
        `/v1/support/tickets/${ticket.reference}/satisfaction`,
        { token: agent.token },
      );
      assert.equal(list.body.satisfaction.length, 1);

      const event = (await ticketEvents(server, tenant.customerId)).at(-1);
      assert.equal(event?.type, 'ticket.satisfaction_rated');
      assert.equal((event?.data.satisfaction as Rating).rating, 4);
    });

    it('the rating counts for the assignee at resolution, not one assigned afterwards', async () => {
      const tenant = await createTenant(server);
      const resolver = await createStaffUser(server);
      const later = await createStaffUser(server);
      const ticket = await resolvedTicket(tenant.apiKey, resolver);
      await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: later.token,
        body: { assignee_id: later.userId },
      });
      const rated = await rate(ticket.id, tenant.apiKey, { rating: 5 });
      assert.equal(rated.body.agent_id, resolver.userId);
    });

    it('a reopen and a new resolution may be rated again', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      const ticket = await resolvedTicket(tenant.apiKey, agent);
      assert.equal((await rate(ticket.id, tenant.apiKey, { rating: 2 })).status, 201);
      await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: tenant.apiKey,
        body: { status: 'open' },
      });
      const unresolved = await rate(ticket.id, tenant.apiKey, { rating: 3 });
      assert.equal(unresolved.status, 409, 'reopened: nothing to rate');
      await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: agent.token,
        body: { status: 'resolved' },
      });
      assert.equal((await rate(ticket.id, tenant.apiKey, { rating: 5 })).status, 201);
      const list = await api<{ satisfaction: Rating[] }>(
        server,
        'GET',
        `/v1/support/tickets/${ticket.id}/satisfaction`,
        {
          token: tenant.apiKey,
        },
      );
      assert.deepEqual(
        list.body.satisfaction.map((r) => r.rating),
        [2, 5],
      );
      assert.notEqual(list.body.satisfaction[0]?.resolved_at, list.body.satisfaction[1]?.resolved_at);
    });

    it('bad input: rating 0, 6, 2.5 or missing → 400 naming rating; unresolved → 409; staff → 403; other tenant → 404', async () => {
      const tenant = await createTenant(server);
      const other = await createTenant(server);
      const agent = await createStaffUser(server);
      const ticket = await resolvedTicket(tenant.apiKey, agent);
      for (const body of [
        { rating: 0 },
        { rating: 6 },
        { rating: 2.5 },
        { rating: '5' },
        {},
        { rating: 3, extra: 1 },
      ]) {
        const response = await rate(ticket.id, tenant.apiKey, body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.ok(
          response.body.errors?.some((e) => e.field === 'rating' || e.field === 'extra'),
          JSON.stringify(response.body),
        );
      }
      const open = await openTicket(server, tenant.apiKey);
      const unresolved = await rate(open.id, tenant.apiKey, { rating: 5 });
      assert.equal(unresolved.status, 409);
      assert.equal(unresolved.body.current_status, 'open');
      assert.equal((await rate(ticket.id, agent.token, { rating: 5 })).status, 403);
      const foreign = await rate(ticket.id, other.apiKey, { rating: 1 });
      assert.equal(foreign.status, 404);
      const viewer = await createCustomerUser(server, tenant.customerId, 'viewer');
      assert.equal((await rate(ticket.id, viewer.token, { rating: 1 })).status, 403, 'viewers read only');
      const list = await api<{ satisfaction: Rating[] }>(
        server,
        'GET',
        `/v1/support/tickets/${ticket.id}/satisfaction`,
        {
          token: tenant.apiKey,
        },
      );
      assert.equal(list.body.satisfaction.length, 0, 'nothing was stored');
    });

    it('platform admins get the summary per tenant and per agent; others may not', async () => {
      const a = await createTenant(server);
      const b = await createTenant(server);
      const agent1 = await createStaffUser(server);
      const agent2 = await createStaffUser(server);
      const admin = await createStaffUser(server, 'platform_admin');
      const ratings: [string, typeof agent1, number][] = [
        [a.apiKey, agent1, 5],
        [a.apiKey, agent2, 3],
        [b.apiKey, agent1, 4],
      ];
      for (const [token, agent, rating] of ratings) {
        const ticket = await resolvedTicket(token, agent);
        assert.equal((await rate(ticket.id, token, { rating })).status, 201);
      }
      const summary = (query: string) =>
        api<Summary & Problem>(server, 'GET', `/v1/support/satisfaction/summary${query}`, { token: admin.token });

      const forA = await summary(`?customer_id=${a.customerId}`);
      assert.equal(forA.status, 200);
      assert.equal(forA.body.count, 2);
      assert.equal(forA.body.average, 4);
      assert.deepEqual(forA.body.distribution, [0, 0, 1, 0, 1]);
      assert.deepEqual(forA.body.by_customer, [{ key: a.customerId, count: 2, average: 4 }]);
      assert.deepEqual(
        forA.body.by_agent.map((g) => [g.key, g.count, g.average]).sort(),
        [
          [agent1.userId, 1, 5],
          [agent2.userId, 1, 3],
        ].sort(),
      );
      const forAgent1 = await summary(`?agent_id=${agent1.userId}`);
      assert.equal(forAgent1.body.count, 2);
      assert.equal(forAgent1.body.average, 4.5);
      assert.deepEqual(forAgent1.body.by_agent, [{ key: agent1.userId, count: 2, average: 4.5 }]);
      assert.deepEqual(forAgent1.body.by_customer.map((g) => g.key).sort(), [a.customerId, b.customerId].sort());
      const empty = await summary(`?agent_id=${agent1.userId}&rated_after=2999-01-01T00:00:00Z`);
      assert.deepEqual([empty.body.count, empty.body.average], [0, null]);

      assert.equal((await summary('?customer_id=nope')).status, 400);
      for (const token of [agent1.token, a.apiKey]) {
        const denied = await api(server, 'GET', '/v1/support/satisfaction/summary', { token });
        assert.equal(denied.status, 403);
      }
    });
  });
}
