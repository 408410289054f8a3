import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import type { Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import type { TestServer } from '../testing/server.ts';
import type { NotificationViewType } from './schemas.ts';
import { INBOX_CHANNEL, parseInboxChanges } from './stream/signal.ts';
import { notificationsOf, seedNotifications } from './testing/harness.ts';

interface InboxPage {
  notifications: NotificationViewType[];
  unread_count: number;
  next_cursor: string | null;
  has_more: boolean;
}

for (const dialect of TEST_DIALECTS) {
  describe(`notification inbox API on ${dialect}`, () => {
    let server: TestServer;
    let tenant: Awaited<ReturnType<typeof createTenant>>;
    const signals: string[] = [];
    before(async () => {
      server = await startTestServer(dialect);
      tenant = await createTenant(server);
      server.ctx.liveFeed.subscribe(INBOX_CHANNEL, (payload) => signals.push(payload));
    });
    after(async () => server.close());

    const user = () => createCustomerUser(server, tenant.customerId, 'member');
    const call = <T = InboxPage>(token: string, method: string, path: string, body?: unknown) =>
      request<T>(server.baseUrl, method, path, { token, ...(body === undefined ? {} : { body }) });

    it('lists newest activity first with a cursor, the inbox’s unread count, and marks what it returned seen', async () => {
      const me = await user();
      await seedNotifications(server, me.userId, tenant.customerId, 5);
      const first = await call(me.token, 'GET', '/v1/notifications?limit=2');
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.notifications.length, 2);
      assert.equal(first.body.unread_count, 5);
      assert.equal(first.body.has_more, true);
      assert.deepEqual(
        first.body.notifications.map((n) => n.sequence),
        [5, 4],
      );
      assert.ok(first.body.notifications.every((n) => n.seen_at !== null && n.read_at === null));
      const rest = await call(me.token, 'GET', `/v1/notifications?limit=10&cursor=${first.body.next_cursor}`);
      assert.deepEqual(
        rest.body.notifications.map((n) => n.sequence),
        [3, 2, 1],
      );
      assert.equal(rest.body.has_more, false);
      assert.equal(rest.body.next_cursor, null);
      const stored = await notificationsOf(server, me.userId);
      assert.ok(stored.every((row) => row.seen_at !== null));
      assert.ok(
        stored.every((row) => Number(row.change_seq) === Number(row.activity_seq)),
        'seeing takes no sequence number',
      );
    });

    it('filters by type, priority, read and archived in the query', async () => {
      const me = await user();
      await seedNotifications(server, me.userId, tenant.customerId, 2, { type: 'billing', priority: 'high' });
      const [support] = await seedNotifications(server, me.userId, tenant.customerId, 1, { type: 'support' });
      const [archived] = await seedNotifications(server, me.userId, tenant.customerId, 1, { type: 'support' });
      assert.equal((await call(me.token, 'PATCH', `/v1/notifications/${support?.id}`, { read: true })).status, 200);
      assert.equal((await call(me.token, 'DELETE', `/v1/notifications/${archived?.id}`)).status, 204);
      const count = async (query: string) =>
        (await call(me.token, 'GET', `/v1/notifications?${query}`)).body.notifications.length;
      assert.equal(await count('type=billing'), 2);
      assert.equal(await count('priority=high'), 2);
      assert.equal(await count('type=support'), 1);
      assert.equal(await count('read=true'), 1);
      assert.equal(await count('read=false'), 2);
      assert.equal(await count('archived=true'), 1);
      assert.equal(await count(''), 3);
      const listed = await call(me.token, 'GET', '/v1/notifications');
      assert.equal(listed.body.unread_count, 2);
    });

    it('counts unread per type for every tab in one call', async () => {
      const me = await user();
      await seedNotifications(server, me.userId, tenant.customerId, 2, { type: 'security_alert' });
      await seedNotifications(server, me.userId, tenant.customerId, 1, { type: 'support' });
      const total = await call<{ unread_count: number; by_type?: unknown }>(
        me.token,
        'GET',
        '/v1/notifications/unread-count',
      );
      assert.deepEqual(total.body, { unread_count: 3 });
      const byType = await call<{ unread_count: number; by_type: Record<string, number> }>(
        me.token,
        'GET',
        '/v1/notifications/unread-count?by=type',
      );
      assert.equal(byType.body.unread_count, 3);
      assert.deepEqual(byType.body.by_type, {
        security_alert: 2,
        billing: 0,
        compliance: 0,
        system: 0,
        informational: 0,
        support: 1,
      });
    });

    it('mark-read changes only the caller’s own ids, all under one sequence number, announced once', async () => {
      const me = await user();
      const neighbour = await user();
      const mine = await seedNotifications(server, me.userId, tenant.customerId, 3);
      const theirs = await seedNotifications(server, neighbour.userId, tenant.customerId, 2);
      // On PostgreSQL signals arrive after the commit, asynchronously: let the seeding's arrive first.
      const heard = (userId: string, seq: number) =>
        signals.flatMap(parseInboxChanges).some((change) => change.userId === userId && change.seq === seq);
      await waitFor(() => heard(me.userId, 3) && heard(neighbour.userId, 2), 10_000, 'the seeding signals');
      signals.length = 0;
      const response = await call<{ marked_read: number; unread_count: number }>(
        me.token,
        'POST',
        '/v1/notifications/mark-read',
        { notification_ids: [mine[0]?.id, mine[1]?.id, theirs[0]?.id, theirs[1]?.id] },
      );
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body, { marked_read: 2, unread_count: 1 });
      const rows = await notificationsOf(server, me.userId);
      const read = rows.filter((row) => row.read_at !== null);
      assert.equal(read.length, 2);
      assert.deepEqual(
        read.map((row) => Number(row.change_seq)),
        [4, 4],
      );
      await waitFor(() => heard(me.userId, 4), 10_000, 'the mark-read signal');
      assert.deepEqual(signals.flatMap(parseInboxChanges), [{ userId: me.userId, seq: 4 }]);
      const untouched = await notificationsOf(server, neighbour.userId);
      assert.ok(untouched.every((row) => row.read_at === null && Number(row.change_seq) === Number(row.activity_seq)));
      const again = await call<{ marked_read: number }>(me.token, 'POST', '/v1/notifications/mark-read', {
        notification_ids: [mine[0]?.id],
      });
      assert.equal(again.body.marked_read, 0);
      const seqs = (await notificationsOf(server, me.userId)).map((row) => Number(row.change_seq));
      assert.equal(Math.max(...seqs), 4, 'a call that changes nothing takes no number');
    });

    it('mark-read all, optionally one type', async () => {
      const me = await user();
      await seedNotifications(server, me.userId, tenant.customerId, 2, { type: 'billing' });
      await seedNotifications(server, me.userId, tenant.customerId, 3, { type: 'support' });
      const billing = await call<{ marked_read: number; unread_count: number }>(
        me.token,
        'POST',
        '/v1/notifications/mark-read',
        { all: true, type: 'billing' },
      );
      assert.deepEqual(billing.body, { marked_read: 2, unread_count: 3 });
      const all = await call<{ marked_read: number; unread_count: number }>(
        me.token,
        'POST',
        '/v1/notifications/mark-read',
        {
          all: true,
        },
      );
      assert.deepEqual(all.body, { marked_read: 3, unread_count: 0 });
    });

    it('PATCH marks read and unread, archives and restores; a no-op takes no sequence number', async () => {
      const me = await user();
      const [row] = await seedNotifications(server, me.userId, tenant.customerId, 1);
      const path = `/v1/notifications/${row?.id}`;
      const read = await call<NotificationViewType>(me.token, 'PATCH', path, { read: true });
      assert.equal(read.status, 200, read.text);
      assert.ok(read.body.read_at);
      assert.equal(read.body.sequence, 2);
      const same = await call<NotificationViewType>(me.token, 'PATCH', path, { read: true });
      assert.equal(same.body.sequence, 2);
      assert.equal(same.body.read_at, read.body.read_at);
      const both = await call<NotificationViewType>(me.token, 'PATCH', path, { read: false, archived: true });
      assert.equal(both.body.read_at, null);
      assert.ok(both.body.archived_at);
      assert.equal(both.body.sequence, 3);
      const restored = await call<NotificationViewType>(me.token, 'PATCH', path, { archived: false });
      assert.equal(restored.body.archived_at, null);
    });

    it('answers 404 for another user’s notification, the same tenant’s included, exactly like a missing one', async () => {
      const me = await user();
      const neighbour = await user();
      const [theirs] = await seedNotifications(server, neighbour.userId, tenant.customerId, 1);
      const missing = '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b';
      for (const [method, body] of [
        ['PATCH', { read: true }],
        ['DELETE', undefined],
      ] as const) {
        const other = await call<Problem>(me.token, method, `/v1/notifications/${theirs?.id}`, body);
        const absent = await call<Problem>(me.token, method, `/v1/notifications/${missing}`, body);
        assert.equal(other.status, 404);
        assert.deepEqual({ ...other.body, request_id: '' }, { ...absent.body, request_id: '' });
      }
      const [row] = await notificationsOf(server, neighbour.userId);
      assert.equal(row?.read_at, null);
      assert.equal(row?.archived_at, null);
    });

    it('refuses bad input with 400 naming the field', async () => {
      const me = await user();
      const expectField = async (method: string, path: string, body: unknown, field: RegExp) => {
        const response = await call<Problem>(me.token, method, path, body);
        assert.equal(response.status, 400, `${method} ${path}: ${response.text}`);
        assert.ok(
          response.body.errors?.some((e) => field.test(e.field)),
          `${method} ${path} names ${field}: ${response.text}`,
        );
      };
      const ids = Array.from({ length: 1_001 }, () => '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b');
      await expectField('POST', '/v1/notifications/mark-read', { notification_ids: ids }, /^notification_ids$/);
      await expectField('POST', '/v1/notifications/mark-read', { notification_ids: ['nope'] }, /^notification_ids\.0$/);
      await expectField('POST', '/v1/notifications/mark-read', { notification_ids: [] }, /^notification_ids$/);
      await expectField('POST', '/v1/notifications/mark-read', {}, /^notification_ids$/);
      await expectField('POST', '/v1/notifications/mark-read', { all: false }, /^all$/);
      await expectField(
        'POST',
        '/v1/notifications/mark-read',
        { all: true, notification_ids: [ids[0]] },
        /^notification_ids$/,
      );
      await expectField(
        'POST',
        '/v1/notifications/mark-read',
        { notification_ids: [ids[0]], type: 'billing' },
        /^type$/,
      );
      await expectField('PATCH', `/v1/notifications/${ids[0]}`, {}, /.*/);
      await expectField('PATCH', `/v1/notifications/${ids[0]}`, { read: 'yes' }, /^read$/);
      await expectField('PATCH', `/v1/notifications/${ids[0]}`, { pinned: true }, /^pinned$/);
      await expectField('PATCH', '/v1/notifications/not-a-uuid', { read: true }, /^id$/);
      await expectField('DELETE', '/v1/notifications/not-a-uuid', undefined, /^id$/);
      await expectField('GET', '/v1/notifications?type=bogus', undefined, /^type$/);
      await expectField('GET', '/v1/notifications?priority=urgent', undefined, /^priority$/);
      await expectField('GET', '/v1/notifications?read=maybe', undefined, /^read$/);
      await expectField('GET', '/v1/notifications?colour=red', undefined, /^colour$/);
      await expectField('GET', '/v1/notifications?cursor=garbage', undefined, /^cursor$/);
      await expectField('GET', '/v1/notifications?limit=0', undefined, /^limit$/);
      await expectField('GET', '/v1/notifications/unread-count?by=priority', undefined, /^by$/);
    });

    it('gives staff an inbox too; an API key has none (403)', async () => {
      const agent = await createStaffUser(server, 'agent');
      await seedNotifications(server, agent.userId, tenant.customerId, 1);
      const listed = await call(agent.token, 'GET', '/v1/notifications');
      assert.equal(listed.status, 200);
      assert.equal(listed.body.unread_count, 1);
      const viaKey = await call<Problem>(tenant.apiKey, 'GET', '/v1/notifications');
      assert.equal(viaKey.status, 403);
      assert.match(viaKey.body.detail, /API keys have no inbox/);
      const noCredential = await request(server.baseUrl, 'GET', '/v1/notifications');
      assert.equal(noCredential.status, 401);
    });

    it('lets only platform admins announce, to a known tenant or all tenants', async () => {
      const admin = await createStaffUser(server, 'platform_admin');
      const agent = await createStaffUser(server, 'agent');
      const owner = await createCustomerUser(server, tenant.customerId, 'owner');
      const body = { title: 'Maintenance', body: 'Tonight 22:00 UTC', customer_id: tenant.customerId };
      const accepted = await call<{ announcement_id: string; status: string }>(
        admin.token,
        'POST',
        '/v1/notifications',
        body,
      );
      assert.equal(accepted.status, 202, accepted.text);
      assert.match(accepted.body.announcement_id, /^evt_/);
      assert.equal((await call(agent.token, 'POST', '/v1/notifications', body)).status, 403);
      assert.equal((await call(owner.token, 'POST', '/v1/notifications', body)).status, 403);
      const both = await call<Problem>(admin.token, 'POST', '/v1/notifications', { ...body, all_tenants: true });
      assert.equal(both.status, 400);
      assert.equal(both.body.errors?.[0]?.field, 'customer_id');
      const neither = await call<Problem>(admin.token, 'POST', '/v1/notifications', { title: 't', body: 'b' });
      assert.equal(neither.body.errors?.[0]?.field, 'customer_id');
      const unknown = await call<Problem>(admin.token, 'POST', '/v1/notifications', { ...body, customer_id: 'nobody' });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errors?.[0]?.field, 'customer_id');
      const offsite = await call<Problem>(admin.token, 'POST', '/v1/notifications', {
        ...body,
        action_url: '//evil.example/phish',
      });
      assert.equal(offsite.status, 400);
      assert.equal(offsite.body.errors?.[0]?.field, 'action_url');
    });
  });
}
