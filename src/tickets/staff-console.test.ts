import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import type { Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket, ticketEvents } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';
import type { TicketId } from './ids.ts';

type TicketList = { tickets: TicketJson[]; has_more: boolean };
type Agent = { user_id: string; available: boolean; last_assigned_at: string | null };

for (const dialect of TEST_DIALECTS) {
  describe(`staff console on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => {
      await server.close();
    });

    const list = (token: string, query: string) =>
      api<TicketList & Problem>(server, 'GET', `/v1/support/tickets?limit=100&${query}`, { token });
    const ids = (response: { body: TicketList }) => response.body.tickets.map((t) => t.id).sort();

    it('views: unassigned, mine, at_risk, breached and all, across tenants and per tenant', async () => {
      const a = await createTenant(server);
      const b = await createTenant(server);
      const me = await createStaffUser(server);
      const colleague = await createStaffUser(server);
      const [mine, theirs, free, atRisk, breached, done] = await Promise.all([
        openTicket(server, a.apiKey),
        openTicket(server, b.apiKey),
        openTicket(server, b.apiKey),
        openTicket(server, a.apiKey),
        openTicket(server, b.apiKey),
        openTicket(server, a.apiKey),
      ]);
      const patch = (id: string, body: Record<string, unknown>) =>
        api(server, 'PATCH', `/v1/support/tickets/${id}`, { token: me.token, body });
      await patch(mine.id, { assignee_id: me.userId });
      await patch(theirs.id, { assignee_id: colleague.userId });
      await patch(atRisk.id, { assignee_id: colleague.userId });
      await patch(breached.id, { assignee_id: me.userId });
      await patch(done.id, { status: 'resolved' });
      // The SLA engine keeps sla_status; the views only read it.
      const { db } = server.database;
      await db
        .updateTable('tickets')
        .set({ sla_status: 'at_risk' })
        .where('id', '=', atRisk.id as TicketId)
        .execute();
      await db
        .updateTable('tickets')
        .set({ sla_status: 'breached' })
        .where('id', '=', breached.id as TicketId)
        .execute();
      const ours = new Set([mine, theirs, free, atRisk, breached, done].map((t) => t.id));
      const only = (response: { body: TicketList }) => ids(response).filter((id) => ours.has(id));

      assert.deepEqual(only(await list(me.token, 'view=mine')), [mine.id, breached.id].sort());
      assert.deepEqual(only(await list(colleague.token, 'view=mine')), [theirs.id, atRisk.id].sort());
      assert.deepEqual(only(await list(me.token, 'view=unassigned')), [free.id], 'resolved ones are not queued');
      assert.deepEqual(only(await list(me.token, 'view=unassigned&status=resolved')), [done.id]);
      assert.deepEqual(only(await list(me.token, 'view=at_risk')), [atRisk.id]);
      assert.deepEqual(only(await list(me.token, 'view=breached')), [breached.id]);
      assert.deepEqual(only(await list(me.token, 'view=all')), [...ours].sort());
      assert.deepEqual(ids(await list(me.token, `view=mine&customer_id=${a.customerId}`)), [mine.id]);
      assert.deepEqual(ids(await list(me.token, `view=unassigned&customer_id=${b.customerId}`)), [free.id]);
      assert.deepEqual(ids(await list(a.apiKey, 'view=at_risk')), [atRisk.id], 'customers may use SLA views');
      assert.deepEqual(ids(await list(b.apiKey, 'view=at_risk')), []);
    });

    it('view=mine from a customer, an unknown view, or a view contradicting assignee → 400 naming view', async () => {
      const tenant = await createTenant(server);
      const member = await createCustomerUser(server, tenant.customerId);
      const agent = await createStaffUser(server);
      for (const [token, query] of [
        [tenant.apiKey, 'view=mine'],
        [member.token, 'view=mine'],
        [agent.token, 'view=everything'],
        [agent.token, 'view=mine&assignee=none'],
      ] as const) {
        const response = await list(token, query);
        assert.equal(response.status, 400, query);
        assert.ok(
          response.body.errors?.some((e) => e.field === 'view'),
          JSON.stringify(response.body),
        );
      }
    });

    it('assignment: staff only, to active staff only, with history and ticket.assigned', async () => {
      const tenant = await createTenant(server);
      const customer = await createCustomerUser(server, tenant.customerId, 'admin');
      const agent = await createStaffUser(server);
      const other = await createStaffUser(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const path = `/v1/support/tickets/${ticket.id}`;
      const denied = await api(server, 'PATCH', path, { token: tenant.apiKey, body: { assignee_id: agent.userId } });
      assert.equal(denied.status, 403);
      const notStaff = await api<Problem>(server, 'PATCH', path, {
        token: agent.token,
        body: { assignee_id: customer.userId },
      });
      assert.equal(notStaff.status, 400);
      assert.equal(notStaff.body.errors?.[0]?.field, 'assignee_id');
      await api(server, 'PATCH', path, { token: agent.token, body: { assignee_id: agent.userId } });
      await api(server, 'PATCH', path, { token: agent.token, body: { assignee_id: other.userId } });
      await api(server, 'PATCH', path, { token: agent.token, body: { assignee_id: null } });
      const history = await api<{ history: { field: string; from: unknown; to: unknown; actor_id: string }[] }>(
        server,
        'GET',
        `${path}/history`,
        { token: agent.token },
      );
      assert.deepEqual(
        history.body.history.filter((h) => h.field === 'assignee_id').map((h) => [h.from, h.to, h.actor_id]),
        [
          [null, agent.userId, agent.userId],
          [agent.userId, other.userId, agent.userId],
          [other.userId, null, agent.userId],
        ],
      );
      const assigned = (await ticketEvents(server, tenant.customerId)).filter((e) => e.type === 'ticket.assigned');
      assert.deepEqual(
        assigned.map((e) => [e.data.previous_assignee_id, e.data.assignee_id]),
        [
          [null, agent.userId],
          [agent.userId, other.userId],
          [other.userId, null],
        ],
      );
    });

    it('availability: agents set their own, admins anyone’s; customers and other agents may not', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      const other = await createStaffUser(server);
      const admin = await createStaffUser(server, 'platform_admin');
      const put = (token: string, id: string, available: unknown) =>
        api<Agent & Problem>(server, 'PUT', `/v1/support/agents/${id}/availability`, { token, body: { available } });
      const own = await put(agent.token, agent.userId, true);
      assert.equal(own.status, 200);
      assert.equal(own.body.available, true);
      assert.equal((await put(other.token, agent.userId, false)).status, 403);
      assert.equal((await put(admin.token, other.userId, true)).status, 200);
      assert.equal((await put(tenant.apiKey, agent.userId, true)).status, 403);
      assert.equal((await put(admin.token, tenant.ownerId, true)).status, 404, 'customer users are no agents');
      assert.equal((await put(agent.token, agent.userId, 'yes')).status, 400);
      const agents = await api<{ agents: Agent[]; round_robin: boolean }>(server, 'GET', '/v1/support/agents', {
        token: agent.token,
      });
      assert.equal(agents.body.round_robin, false);
      const byId = new Map(agents.body.agents.map((a) => [a.user_id, a.available]));
      assert.deepEqual([byId.get(agent.userId), byId.get(other.userId), byId.get(admin.userId)], [true, true, false]);
      assert.equal((await api(server, 'GET', '/v1/support/agents', { token: tenant.apiKey })).status, 403);
    });

    it('round-robin is off by default: new tickets stay unassigned though agents are available', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      await api(server, 'PUT', `/v1/support/agents/${agent.userId}/availability`, {
        token: agent.token,
        body: { available: true },
      });
      const ticket = await openTicket(server, tenant.apiKey);
      assert.equal(ticket.assignee_id, null);
    });
  });

  describe(`round-robin assignment on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { env: { TICKET_ROUND_ROBIN: 'true' } });
    });
    after(async () => {
      await server.close();
    });

    it('new tickets go in turn to the available active agents; nobody available leaves them unassigned', async () => {
      const tenant = await createTenant(server);
      const first = await openTicket(server, tenant.apiKey);
      assert.equal(first.assignee_id, null, 'no agent is available yet');
      const agents = [await createStaffUser(server), await createStaffUser(server), await createStaffUser(server)];
      const away = agents[2] as (typeof agents)[number];
      for (const agent of agents)
        await api(server, 'PUT', `/v1/support/agents/${agent.userId}/availability`, {
          token: agent.token,
          body: { available: agent !== away },
        });
      const tickets = [];
      for (let i = 0; i < 4; i++) tickets.push(await openTicket(server, tenant.apiKey));
      const assignees = tickets.map((t) => t.assignee_id);
      const available: string[] = agents.slice(0, 2).map((a) => a.userId);
      assert.ok(
        assignees.every((id) => available.includes(String(id))),
        JSON.stringify(assignees),
      );
      assert.notEqual(assignees[0], assignees[1], 'in turn');
      assert.deepEqual(assignees.slice(2), assignees.slice(0, 2));

      const history = await api<{ history: { field: string; actor_role: string; to: unknown }[] }>(
        server,
        'GET',
        `/v1/support/tickets/${tickets[0]?.id}/history`,
        { token: tenant.apiKey },
      );
      assert.deepEqual(
        history.body.history.filter((h) => h.field !== 'sla').map((h) => [h.field, h.actor_role]),
        [
          ['status', 'customer'],
          ['assignee_id', 'system'],
        ],
      );
      const events = await ticketEvents(server, tenant.customerId);
      assert.equal(events.filter((e) => e.type === 'ticket.assigned').length, 4);
    });
  });
}
