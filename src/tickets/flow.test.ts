import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket, ticketEvents } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';

/** The SLA log of the first flow: opened, replied, waiting on the customer and back, resolved, reopened (closing logs nothing). */
const SLA_LOG_OF_THE_FLOW = [
  'applied first_response',
  'applied resolution',
  'met first_response',
  'paused resolution',
  'resumed resolution',
  'met resolution',
  'applied resolution',
];

type Json = Record<string, unknown>;
type CommentList = { comments: Json[] };
type HistoryList = {
  history: { field: string; from: unknown; to: unknown; actor_role: string; actor_id: string | null }[];
};

for (const dialect of TEST_DIALECTS) {
  describe(`ticket flow over HTTP on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => {
      await server.close();
    });

    it('customer opens, staff notes internally and replies, statuses follow the machine, history records it', async () => {
      const tenant = await createTenant(server);
      const customer = await createCustomerUser(server, tenant.customerId, 'member');
      const agent = await createStaffUser(server, 'agent');
      const ticket = await openTicket(server, customer.token, {
        subject: '  Invoice total is wrong  ',
        priority: 'high',
        tags: ['billing', 'billing', ' q4 '],
      });
      assert.equal(ticket.subject, 'Invoice total is wrong');
      assert.equal(ticket.status, 'open');
      assert.deepEqual(ticket.tags, ['billing', 'q4']);
      assert.equal(ticket.customer_id, tenant.customerId);
      assert.equal(ticket.created_by, customer.userId);
      assert.equal(ticket.sla_due_date, ticket.sla_first_response_due_at);
      assert.equal(ticket.internal_comment_count, undefined);
      const path = `/v1/support/tickets/${ticket.id}`;

      // Internal note: staff see it, the customer sees no trace of it.
      const note = await api(server, 'POST', `${path}/comments`, {
        token: agent.token,
        body: { body: 'Customer is on the legacy plan — SECRET', visibility: 'internal' },
      });
      assert.equal(note.status, 201);
      assert.equal(note.body.author_role, 'staff');
      assert.equal(note.body.author_id, agent.userId);
      const staffView = await api<TicketJson & { comments: Json[] }>(server, 'GET', path, { token: agent.token });
      assert.equal(staffView.body.comments.length, 1);
      assert.equal(staffView.body.internal_comment_count, 1);
      const customerView = await api<TicketJson & { comments: Json[] }>(server, 'GET', path, { token: customer.token });
      assert.equal(customerView.status, 200);
      assert.deepEqual(customerView.body.comments, []);
      assert.equal(customerView.body.comment_count, 0);
      assert.equal(customerView.body.internal_comment_count, undefined);
      assert.equal(
        customerView.body.version,
        ticket.version,
        'an internal note does not change what the customer sees',
      );
      assert.equal(customerView.body.updated_at, ticket.updated_at);
      assert.ok(!customerView.text.includes('SECRET'));
      const customerComments = await api<CommentList>(server, 'GET', `${path}/comments`, { token: customer.token });
      assert.deepEqual(customerComments.body.comments, []);
      const customerList = await api(server, 'GET', '/v1/support/tickets', { token: customer.token });
      assert.ok(!customerList.text.includes('SECRET') && !customerList.text.includes('internal_comment_count'));

      // Public staff reply: first response recorded once.
      const reply = await api(server, 'POST', `${path}/comments`, {
        token: agent.token,
        body: { text: 'We are looking into it.' },
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.body, 'We are looking into it.');
      assert.equal(reply.body.visibility, 'public');
      const afterReply = await api<TicketJson>(server, 'GET', path, { token: customer.token });
      assert.equal(afterReply.body.comment_count, 1);
      assert.ok(afterReply.body.first_response_at);
      assert.equal(afterReply.body.sla_due_date, afterReply.body.sla_resolution_due_at);
      await api(server, 'POST', `${path}/comments`, { token: agent.token, body: { body: 'Second reply.' } });
      const afterSecond = await api<TicketJson>(server, 'GET', path, { token: customer.token });
      assert.equal(afterSecond.body.first_response_at, afterReply.body.first_response_at);

      // Customers may not set in-progress: 409 listing what they may do.
      const denied = await api(server, 'PATCH', path, { token: customer.token, body: { status: 'in-progress' } });
      assert.equal(denied.status, 409);
      assert.deepEqual(denied.body.allowed_transitions, ['resolved', 'closed']);
      assert.equal((denied.body.errors as Json[])[0]?.field, 'status');

      // Staff move it along; a customer reply on waiting-customer puts it back to work.
      assert.equal(
        (
          await api(server, 'PATCH', path, {
            token: agent.token,
            body: { status: 'in-progress', assignee_id: agent.userId },
          })
        ).status,
        200,
      );
      const waiting = await api<TicketJson>(server, 'PUT', path, {
        token: agent.token,
        body: { status: 'waiting-customer' },
      });
      assert.equal(waiting.body.status, 'waiting-customer');
      const skip = await api(server, 'PATCH', path, { token: agent.token, body: { status: 'resolved' } });
      assert.equal(skip.status, 409);
      assert.deepEqual(skip.body.allowed_transitions, ['in-progress']);
      await api(server, 'POST', `${path}/comments`, {
        token: customer.token,
        body: { body: 'Here are the details you asked for.' },
      });
      const back = await api<TicketJson>(server, 'GET', path, { token: customer.token });
      assert.equal(back.body.status, 'in-progress', 'assigned ticket goes back to in-progress');

      // Resolve, customer reopens by replying, then closes.
      const resolved = await api<TicketJson>(server, 'PATCH', path, {
        token: agent.token,
        body: { status: 'resolved' },
      });
      assert.equal(resolved.body.status, 'resolved');
      assert.ok(resolved.body.resolved_at);
      assert.equal(resolved.body.sla_due_date, null);
      await api(server, 'POST', `${path}/comments`, { token: customer.token, body: { body: 'Still broken, sorry.' } });
      const reopened = await api<TicketJson>(server, 'GET', path, { token: customer.token });
      assert.equal(reopened.body.status, 'open');
      assert.equal(reopened.body.resolved_at, null);
      const closed = await api<TicketJson>(server, 'PATCH', path, {
        token: customer.token,
        body: { status: 'closed' },
      });
      assert.equal(closed.body.status, 'closed');
      assert.ok(closed.body.closed_at);
      const final = await api(server, 'PATCH', path, { token: agent.token, body: { status: 'open' } });
      assert.equal(final.status, 409);
      assert.deepEqual(final.body.allowed_transitions, []);
      // A reply to the closed ticket opens a follow-up that links it, with the reply as its first comment.
      const lateReply = await api<{ ticket_id: string }>(server, 'POST', `${path}/comments`, {
        token: customer.token,
        body: { body: 'One more thing' },
      });
      assert.equal(lateReply.status, 201);
      const followUp = await api<TicketJson>(server, 'GET', `/v1/support/tickets/${lateReply.body.ticket_id}`, {
        token: customer.token,
      });
      assert.equal(followUp.body.follow_up_of, closed.body.id);
      assert.equal(followUp.body.status, 'open');
      assert.equal(followUp.body.comment_count, 1);

      // History: each change with actor and before/after; customers see no internal notes there.
      const staffHistory = await api<HistoryList>(server, 'GET', `${path}/history`, { token: agent.token });
      const customerHistory = await api<HistoryList>(server, 'GET', `${path}/history`, { token: customer.token });
      assert.deepEqual(
        customerHistory.body.history.filter((h) => h.field !== 'sla').map((h) => [h.field, h.from, h.to, h.actor_role]),
        [
          ['status', null, 'open', 'customer'],
          ['status', 'open', 'in-progress', 'staff'],
          ['assignee_id', null, agent.userId, 'staff'],
          ['status', 'in-progress', 'waiting-customer', 'staff'],
          ['status', 'waiting-customer', 'in-progress', 'customer'],
          ['status', 'in-progress', 'resolved', 'staff'],
          ['status', 'resolved', 'open', 'customer'],
          ['status', 'open', 'closed', 'customer'],
          ['follow_up', null, followUp.body.reference, 'customer'],
        ],
      );
      assert.deepEqual(
        customerHistory.body.history
          .filter((h) => h.field === 'sla')
          .map((h) => {
            const entry = h.to as { event: string; clock: string };
            return `${entry.event} ${entry.clock}`;
          }),
        SLA_LOG_OF_THE_FLOW,
      );
      assert.equal(staffHistory.body.history.length, customerHistory.body.history.length);
      assert.ok(!customerHistory.text.includes('SECRET'));

      // Events: never the internal note.
      const events = await ticketEvents(server, tenant.customerId);
      assert.ok(!JSON.stringify(events).includes('SECRET'));
      assert.ok(!JSON.stringify(events).includes('internal_comment_count'));
      assert.equal(events.filter((e) => e.type === 'ticket.commented').length, 5);
    });

    it('priority: staff set any, customers only raise; category and tags for both; assignee staff-only', async () => {
      const tenant = await createTenant(server);
      const customer = await createCustomerUser(server, tenant.customerId, 'member');
      const agent = await createStaffUser(server, 'agent');
      const ticket = await openTicket(server, customer.token, { priority: 'medium' });
      const path = `/v1/support/tickets/${ticket.number}`;
      const raised = await api<TicketJson>(server, 'PATCH', path, {
        token: customer.token,
        body: { priority: 'critical', category: 'security', tags: ['sso'] },
      });
      assert.equal(raised.status, 200);
      assert.equal(raised.body.priority, 'critical');
      assert.equal(raised.body.category, 'security');
      assert.deepEqual(raised.body.tags, ['sso']);
      assert.notEqual(raised.body.sla_first_response_due_at, ticket.sla_first_response_due_at);
      const changes = await api<HistoryList>(server, 'GET', `${path}/history`, { token: customer.token });
      assert.deepEqual(
        changes.body.history
          .slice(1)
          .filter((h) => h.field !== 'sla')
          .map((h) => [h.field, h.from, h.to, h.actor_id]),
        [
          ['priority', 'medium', 'critical', customer.userId],
          ['category', 'general', 'security', customer.userId],
          ['tags', [], ['sso'], customer.userId],
        ],
      );
      const lowered = await api(server, 'PATCH', path, { token: customer.token, body: { priority: 'low' } });
      assert.equal(lowered.status, 403);
      assert.equal((lowered.body.errors as Json[])[0]?.field, 'priority');
      const byId = `/v1/support/tickets/${ticket.id}`;
      assert.equal(
        (await api<TicketJson>(server, 'PATCH', byId, { token: agent.token, body: { priority: 'low' } })).body.priority,
        'low',
      );
      const assign = await api(server, 'PATCH', path, { token: customer.token, body: { assignee_id: agent.userId } });
      assert.equal(assign.status, 403);
      assert.equal((assign.body.errors as Json[])[0]?.field, 'assignee_id');
      const notStaff = await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: agent.token,
        body: { assignee_id: customer.userId },
      });
      assert.equal(notStaff.status, 400);
      assert.equal((notStaff.body.errors as Json[])[0]?.field, 'assignee_id');
      const unchanged = await api<TicketJson>(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: agent.token,
        body: { priority: 'low' },
      });
      assert.equal(unchanged.status, 200);
      const again = await api<TicketJson>(server, 'GET', `/v1/support/tickets/${ticket.id}`, { token: agent.token });
      assert.equal(unchanged.body.version, again.body.version, 'a no-op PATCH changes nothing');
      const internal = await api(server, 'POST', `${path}/comments`, {
        token: customer.token,
        body: { body: 'psst', visibility: 'internal' },
      });
      assert.equal(internal.status, 403);
      assert.equal((internal.body.errors as Json[])[0]?.field, 'visibility');
    });

    it('numbers increase per tenant independently; lookup by id, SB-number and number', async () => {
      const a = await createTenant(server);
      const b = await createTenant(server);
      const a1 = await openTicket(server, a.apiKey);
      const b1 = await openTicket(server, b.apiKey);
      const a2 = await openTicket(server, a.apiKey);
      const b2 = await openTicket(server, b.apiKey);
      assert.deepEqual([a1.number, a2.number, b1.number, b2.number], [1001, 1002, 1001, 1002]);
      assert.equal(a2.reference, 'SB-1002');
      for (const ref of [a2.id, 'SB-1002', 'sb-1002', '1002']) {
        const got = await api<TicketJson>(server, 'GET', `/v1/support/tickets/${ref}`, { token: a.apiKey });
        assert.equal(got.status, 200, ref);
        assert.equal(got.body.id, a2.id);
      }
      const alias = await api<TicketJson>(server, 'POST', '/v1/support/tickets/create', {
        token: a.apiKey,
        body: { subject: 'Seed alias works', description: 'Created through the seed alias route path.' },
      });
      assert.equal(alias.status, 201);
      assert.equal(alias.body.number, 1003);
    });

    it('staff see every tenant, filter by customer_id, and must name the tenant when creating', async () => {
      const a = await createTenant(server);
      const b = await createTenant(server);
      const agent = await createStaffUser(server, 'agent');
      await openTicket(server, a.apiKey);
      const bTicket = await openTicket(server, b.apiKey);
      const missing = await api(server, 'POST', '/v1/support/tickets', {
        token: agent.token,
        body: { subject: 'On behalf of customer', description: 'Opened by staff on behalf of a customer.' },
      });
      assert.equal(missing.status, 400);
      assert.equal((missing.body.errors as Json[])[0]?.field, 'customer_id');
      const onBehalf = await api<TicketJson>(server, 'POST', '/v1/support/tickets', {
        token: agent.token,
        body: {
          subject: 'On behalf of customer',
          description: 'Opened by staff on behalf of a customer.',
          customer_id: b.customerId,
        },
      });
      assert.equal(onBehalf.status, 201);
      assert.equal(onBehalf.body.customer_id, b.customerId);
      assert.equal(onBehalf.body.number, 1002);
      const listed = await api<{ tickets: TicketJson[] }>(
        server,
        'GET',
        `/v1/support/tickets?customer_id=${b.customerId}`,
        { token: agent.token },
      );
      assert.deepEqual(
        listed.body.tickets.map((t) => t.customer_id),
        [b.customerId, b.customerId],
      );
      const byNumber = await api<TicketJson>(server, 'GET', `/v1/support/tickets/SB-1001?customer_id=${b.customerId}`, {
        token: agent.token,
      });
      assert.equal(byNumber.body.id, bTicket.id);
      const ambiguous = await api(server, 'GET', '/v1/support/tickets/SB-1001', { token: agent.token });
      assert.equal(ambiguous.status, 400, 'SB-1001 exists in several tenants: staff must name one');
      assert.equal((ambiguous.body.errors as Json[])[0]?.field, 'id');
      const unknownTenant = await api(server, 'POST', '/v1/support/tickets', {
        token: agent.token,
        body: {
          subject: 'On behalf of nobody',
          description: 'The tenant does not exist at all.',
          customer_id: '01890000-0000-7000-8000-000000000000',
        },
      });
      assert.equal(unknownTenant.status, 400);
      assert.equal((unknownTenant.body.errors as Json[])[0]?.field, 'customer_id');
      const forged = await api(server, 'POST', '/v1/support/tickets', {
        token: a.apiKey,
        body: {
          subject: 'Forged tenant id',
          description: 'A customer may not pick the tenant.',
          customer_id: b.customerId,
        },
      });
      assert.equal(forged.status, 403);
      assert.equal((forged.body.errors as Json[])[0]?.field, 'customer_id');
      const customerFilter = await api(server, 'GET', `/v1/support/tickets?customer_id=${b.customerId}`, {
        token: a.apiKey,
      });
      assert.equal(customerFilter.status, 400);
    });

    it('ETag and If-Match: a stale version gets 412', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const path = `/v1/support/tickets/${ticket.id}`;
      const got = await api(server, 'GET', path, { token: tenant.apiKey });
      const etag = got.headers.get('etag');
      assert.equal(etag, '"1"');
      const first = await api(server, 'PATCH', path, {
        token: tenant.apiKey,
        body: { category: 'billing' },
        headers: { 'if-match': etag ?? '' },
      });
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('etag'), '"2"');
      const stale = await api(server, 'PATCH', path, {
        token: tenant.apiKey,
        body: { category: 'technical' },
        headers: { 'if-match': etag ?? '' },
      });
      assert.equal(stale.status, 412);
      assert.equal((stale.body.errors as Json[])[0]?.field, 'if-match');
    });
  });
}
