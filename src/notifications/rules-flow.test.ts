import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DISPATCH_JOB, emitEvent } from '../events/outbox.ts';
import { enqueueJob } from '../jobs/enqueue.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import type { NotificationViewType } from './schemas.ts';
import { notificationsOf, startHarness, waitForEvents } from './testing/harness.ts';
import type { NotificationHarness } from './testing/harness.ts';

/** The rules end to end: real HTTP actions → events → worker → rows for exactly the right users. */
for (const dialect of TEST_DIALECTS) {
  describe(`notification rules over HTTP on ${dialect}`, () => {
    let h: NotificationHarness;
    let tenant: Awaited<ReturnType<typeof createTenant>>;
    let other: Awaited<ReturnType<typeof createTenant>>;
    let requester: Awaited<ReturnType<typeof createCustomerUser>>;
    let admin: Awaited<ReturnType<typeof createCustomerUser>>;
    let owner: Awaited<ReturnType<typeof createCustomerUser>>;
    let outsider: Awaited<ReturnType<typeof createCustomerUser>>;
    let agent: Awaited<ReturnType<typeof createStaffUser>>;
    let agent2: Awaited<ReturnType<typeof createStaffUser>>;
    let platformAdmin: Awaited<ReturnType<typeof createStaffUser>>;

    before(async () => {
      h = await startHarness(dialect);
      tenant = await createTenant(h.server);
      other = await createTenant(h.server);
      requester = await createCustomerUser(h.server, tenant.customerId, 'member');
      admin = await createCustomerUser(h.server, tenant.customerId, 'admin');
      owner = await createCustomerUser(h.server, tenant.customerId, 'owner');
      outsider = await createCustomerUser(h.server, other.customerId, 'owner');
      agent = await createStaffUser(h.server, 'agent');
      agent2 = await createStaffUser(h.server, 'agent');
      platformAdmin = await createStaffUser(h.server, 'platform_admin');
      await waitForEvents(h.server);
    });
    after(async () => h.close());

    const call = async <T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown) => {
      const response = await request<T>(h.server.baseUrl, method, path, {
        token,
        ...(body === undefined ? {} : { body }),
      });
      assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
      return response.body;
    };
    const about = async (userId: string, sourceEventType: string) => {
      const rows = await notificationsOf(h.server, userId);
      const events = await h.server.ctx.database.db
        .selectFrom('events')
        .select(['id', 'type'])
        .where('type', '=', sourceEventType)
        .execute();
      const ids = new Set(events.map((e) => e.id));
      return rows.filter((row) => row.source_event_id !== null && ids.has(row.source_event_id));
    };
    const countOf = async (userId: string) => (await notificationsOf(h.server, userId)).length;

    it('a ticket’s life: receipt, staff alert, replies both ways, resolution; never the actor, never another tenant', async () => {
      const before = new Map<string, number>();
      for (const u of [requester, admin, owner, outsider, agent, agent2, platformAdmin])
        before.set(u.userId, await countOf(u.userId));
      const ticket = await call<{ id: string; reference: string }>(requester.token, 'POST', '/v1/support/tickets', {
        subject: 'Production is down',
        description: 'Every request fails with 502 since 09:00.',
        priority: 'critical',
      });
      await waitForEvents(h.server);
      const [receipt] = await about(requester.userId, 'ticket.created');
      assert.ok(receipt, 'the requester gets a receipt');
      assert.match(receipt.title, new RegExp(ticket.reference));
      assert.match(receipt.body, /Our target: first response by/);
      for (const staff of [agent, agent2, platformAdmin]) {
        const [alert] = await about(staff.userId, 'ticket.created');
        assert.equal(alert?.priority, 'critical');
        assert.equal(alert?.action_url, `/support/${ticket.id}`);
      }
      for (const u of [admin, owner, outsider]) assert.equal(await countOf(u.userId), before.get(u.userId));

      await call(agent.token, 'PATCH', `/v1/support/tickets/${ticket.id}`, { assignee_id: agent.userId });
      await call(agent.token, 'POST', `/v1/support/tickets/${ticket.id}/comments`, { body: 'Looking into it now.' });
      await call(agent.token, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        body: 'Internal: probably the LB',
        visibility: 'internal',
      });
      await waitForEvents(h.server);
      const thread = (await notificationsOf(h.server, requester.userId)).filter(
        (r) => r.group_key === `ticket:${ticket.id}`,
      );
      assert.equal(thread.length, 1, 'the reply updates the ticket’s thread instead of piling up');
      assert.equal(thread[0]?.group_count, 2);
      assert.equal(thread[0]?.body, 'Looking into it now.');
      assert.equal(thread[0]?.read_at, null);
      const agentThread = (await notificationsOf(h.server, agent.userId)).filter(
        (r) => r.group_key === `ticket:${ticket.id}`,
      );
      assert.equal(agentThread[0]?.group_count, 1, 'the agent is not told of their own reply');

      await call(requester.token, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        body: 'Thanks, still down here.',
      });
      await waitForEvents(h.server);
      const [assigned] = (await notificationsOf(h.server, agent.userId)).filter(
        (r) => r.group_key === `ticket:${ticket.id}`,
      );
      assert.equal(assigned?.body, 'Thanks, still down here.');
      assert.equal(assigned?.group_count, 2);
      const [unassigned] = (await notificationsOf(h.server, agent2.userId)).filter(
        (r) => r.group_key === `ticket:${ticket.id}`,
      );
      assert.equal(unassigned?.group_count, 1, 'only the assignee hears of the customer’s reply');

      await call(agent.token, 'PATCH', `/v1/support/tickets/${ticket.id}`, { status: 'resolved' });
      await waitForEvents(h.server);
      const [resolved] = await about(requester.userId, 'ticket.resolved');
      assert.equal(resolved?.action_url, `/support/${ticket.reference}?csat=1`);
      for (const u of [admin, owner, outsider]) assert.equal(await countOf(u.userId), before.get(u.userId));
    });

    it('customer users’ notifications become notification.created events for webhooks; staff ones do not', async () => {
      const events = await h.server.ctx.database.db
        .selectFrom('events')
        .selectAll()
        .where('type', '=', 'notification.created')
        .execute();
      const data = events.map((e) => JSON.parse(e.data) as NotificationViewType);
      assert.ok(data.some((d) => d.user_id === requester.userId));
      const staff = new Set<string>([agent.userId, agent2.userId, platformAdmin.userId]);
      assert.ok(!data.some((d) => staff.has(d.user_id)));
      for (const event of events) assert.equal(event.customer_id, tenant.customerId);
      const rows = await notificationsOf(h.server, requester.userId);
      assert.ok(data.every((d) => d.user_id !== requester.userId || rows.some((r) => r.id === d.id)));
    });

    it('a redelivered event notifies nobody twice', async () => {
      const [created] = await h.server.ctx.database.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'ticket.created')
        .execute();
      const counts = async () =>
        Promise.all([requester, agent, agent2, platformAdmin].map(async (u) => countOf(u.userId)));
      const before = await counts();
      const rowsBefore = await notificationsOf(h.server, agent2.userId);
      await h.server.ctx.database.db
        .transaction()
        .execute((trx) =>
          enqueueJob(trx, { name: DISPATCH_JOB, payload: { eventId: created?.id } }, h.server.ctx.clock()),
        );
      h.runner.wake();
      await waitForEvents(h.server);
      assert.deepEqual(await counts(), before);
      assert.deepEqual(await notificationsOf(h.server, agent2.userId), rowsBefore);
    });

    it('API keys created or revoked alert the tenant’s owners and admins, not the one who acted', async () => {
      const key = await call<{ api_key: { id: string } }>(owner.token, 'POST', '/v1/api-keys', { name: 'CI deploys' });
      await waitForEvents(h.server);
      const [alert] = await about(admin.userId, 'api_key.created');
      assert.equal(alert?.type, 'security_alert');
      assert.match(alert?.title ?? '', /CI deploys/);
      assert.equal((await about(owner.userId, 'api_key.created')).length, 0);
      assert.equal((await about(requester.userId, 'api_key.created')).length, 0);
      assert.equal((await about(outsider.userId, 'api_key.created')).length, 0);
      await call(admin.token, 'DELETE', `/v1/api-keys/${key.api_key.id}`);
      await waitForEvents(h.server);
      const [revoked] = (await notificationsOf(h.server, owner.userId)).filter(
        (r) => r.group_key === `api_key:${key.api_key.id}`,
      );
      assert.match(revoked?.title ?? '', /revoked/);
      const adminThread = (await notificationsOf(h.server, admin.userId)).filter(
        (r) => r.group_key === `api_key:${key.api_key.id}`,
      );
      assert.equal(adminThread[0]?.group_count, 1, 'the admin who revoked is not told');
    });

    it('a disabled webhook endpoint tells the tenant’s owners and admins', async () => {
      await h.server.ctx.database.db.transaction().execute((trx) =>
        emitEvent(
          trx,
          {
            type: 'webhook.endpoint_disabled',
            customerId: tenant.customerId,
            data: {
              webhook_id: 'wh-1',
              url: 'https://hooks.example/x',
              reason: 'disabled_failing',
              failing_since: null,
            },
          },
          h.server.ctx.clock(),
        ),
      );
      h.runner.wake();
      await waitForEvents(h.server);
      for (const u of [owner, admin]) {
        const [row] = await about(u.userId, 'webhook.endpoint_disabled');
        assert.equal(row?.type, 'system');
        assert.equal(row?.action_url, '/webhooks/wh-1');
      }
      assert.equal((await about(requester.userId, 'webhook.endpoint_disabled')).length, 0);
      assert.equal((await about(outsider.userId, 'webhook.endpoint_disabled')).length, 0);
    });

    it('an announcement to all tenants’ owners reaches exactly them', async () => {
      const accepted = await call<{ announcement_id: string }>(platformAdmin.token, 'POST', '/v1/notifications', {
        title: 'Scheduled maintenance',
        body: 'Saturday 02:00–03:00 UTC',
        type: 'system',
        priority: 'high',
        all_tenants: true,
        roles: ['owner'],
      });
      await waitForEvents(h.server);
      const got = async (userId: string) =>
        (await notificationsOf(h.server, userId)).filter((r) => r.source_event_id === accepted.announcement_id);
      for (const u of [owner, outsider]) {
        const [row] = await got(u.userId);
        assert.equal(row?.title, 'Scheduled maintenance');
        assert.equal(row?.priority, 'high');
      }
      for (const u of [requester, admin, agent, platformAdmin]) assert.deepEqual(await got(u.userId), []);
      const listed = await request<{ notifications: NotificationViewType[] }>(
        h.server.baseUrl,
        'GET',
        '/v1/notifications',
        {
          token: outsider.token,
        },
      );
      assert.equal(listed.body.notifications[0]?.source_event_id, accepted.announcement_id);
    });
  });
}
