import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket, ticketBody, ticketEvents } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`ticket events and idempotency on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => {
      await server.close();
    });

    it('create, update, comment, resolve, reopen and close write their ticket.* events with the change', async () => {
      const tenant = await createTenant(server);
      const customer = await createCustomerUser(server, tenant.customerId, 'member');
      const agent = await createStaffUser(server, 'agent');
      const ticket = await openTicket(server, customer.token);
      const path = `/v1/support/tickets/${ticket.id}`;
      await api(server, 'PATCH', path, { token: agent.token, body: { priority: 'high', tags: ['vip'] } });
      await api(server, 'POST', `${path}/comments`, {
        token: agent.token,
        body: { body: 'internal only: NOTE-XYZ', visibility: 'internal' },
      });
      await api(server, 'POST', `${path}/comments`, { token: agent.token, body: { body: 'Public answer' } });
      await api(server, 'PATCH', path, { token: agent.token, body: { status: 'resolved' } });
      await api(server, 'PATCH', path, { token: customer.token, body: { status: 'open' } });
      await api(server, 'PATCH', path, { token: customer.token, body: { status: 'closed' } });

      const events = await ticketEvents(server, tenant.customerId);
      // Event ids are not monotonic within one millisecond, so compare what each change wrote, not the order.
      assert.deepEqual(events.map((e) => e.type).sort(), [
        'ticket.closed',
        'ticket.commented',
        'ticket.created',
        'ticket.reopened',
        'ticket.resolved',
        'ticket.updated',
        'ticket.updated',
        'ticket.updated',
        'ticket.updated',
      ]);
      const byType = (type: string) => events.filter((e) => e.type === type);
      const created = byType('ticket.created')[0];
      const updates = byType('ticket.updated')
        .map((e) => JSON.stringify(e.data.changes))
        .sort();
      const commented = byType('ticket.commented')[0];
      const resolved = byType('ticket.resolved')[0];
      assert.equal((created?.data.ticket as TicketJson).id, ticket.id);
      const expected = [
        { priority: { from: 'medium', to: 'high' }, tags: { from: [], to: ['vip'] } },
        { status: { from: 'open', to: 'resolved' } },
        { status: { from: 'resolved', to: 'open' } },
        { status: { from: 'open', to: 'closed' } },
      ];
      assert.deepEqual(updates, expected.map((change) => JSON.stringify(change)).sort());
      assert.equal((commented?.data.comment as { body: string }).body, 'Public answer');
      assert.equal(typeof resolved?.data.resolution_time, 'number');
      assert.ok((resolved?.data.resolution_time as number) >= 0);
      const all = JSON.stringify(events);
      assert.ok(!all.includes('NOTE-XYZ'), 'internal notes never reach events');
      assert.ok(!all.includes('internal_comment_count'));
      // Each event has a dispatch job queued in the same transaction.
      const jobs = await server.database.db
        .selectFrom('jobs')
        .select('payload')
        .where('name', '=', 'events.dispatch')
        .execute();
      const ids = new Set(jobs.map((job) => (JSON.parse(job.payload) as { eventId: string }).eventId));
      const rows = await server.database.db
        .selectFrom('events')
        .select('id')
        .where('customer_id', '=', tenant.customerId)
        .where('type', 'like', 'ticket.%')
        .execute();
      for (const row of rows) assert.ok(ids.has(row.id), `dispatch job for ${row.id}`);
    });

    it('a failed change writes no event (same transaction)', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const before = (await ticketEvents(server, tenant.customerId)).length;
      const denied = await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: tenant.apiKey,
        body: { priority: 'critical', status: 'in-progress' },
      });
      assert.equal(denied.status, 409);
      assert.equal((await ticketEvents(server, tenant.customerId)).length, before);
      const unchanged = await api<TicketJson>(server, 'GET', `/v1/support/tickets/${ticket.id}`, {
        token: tenant.apiKey,
      });
      assert.equal(unchanged.body.priority, 'medium');
    });

    it('Idempotency-Key on create replays the first response; another body with the key → 422', async () => {
      const tenant = await createTenant(server);
      const headers = { 'idempotency-key': `create-${Date.now()}` };
      const first = await api<TicketJson>(server, 'POST', '/v1/support/tickets', {
        token: tenant.apiKey,
        body: ticketBody(),
        headers,
      });
      assert.equal(first.status, 201);
      const replay = await api<TicketJson>(server, 'POST', '/v1/support/tickets', {
        token: tenant.apiKey,
        body: ticketBody(),
        headers,
      });
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.id, first.body.id);
      const different = await api(server, 'POST', '/v1/support/tickets', {
        token: tenant.apiKey,
        body: ticketBody({ subject: 'A different subject' }),
        headers,
      });
      assert.equal(different.status, 422);
      const list = await api<{ tickets: TicketJson[] }>(server, 'GET', '/v1/support/tickets', { token: tenant.apiKey });
      assert.equal(list.body.tickets.length, 1, 'one ticket, one ticket.created');
      assert.equal(
        (await ticketEvents(server, tenant.customerId)).filter((e) => e.type === 'ticket.created').length,
        1,
      );
    });
  });
}
