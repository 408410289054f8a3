import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UserId } from '../../identity/tables.ts';
import { createCustomerUser, createTenant } from '../../testing/factories.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { waitFor } from '../../testing/wait.ts';
import { deliverNotifications } from '../deliver.ts';
import type { NotificationDraft } from '../deliver.ts';
import type { NotificationId } from '../ids.ts';
import type { NotificationViewType } from '../schemas.ts';
import { MAX_REPLAY_CHANGES } from './hub.ts';
import { markRead } from './testing/inbox.ts';
import { openRawStream, SseClient } from './testing/sse-client.ts';

const now = new Date('2026-03-02T10:00:00.000Z');
let sourceCounter = 0;

function draft(userId: UserId, customerId: string, extra: Partial<NotificationDraft> = {}): NotificationDraft {
  sourceCounter += 1;
  return {
    userId,
    customerId,
    type: 'support',
    priority: 'medium',
    title: `Update ${sourceCounter}`,
    body: 'Something happened',
    actionUrl: '/support/SB-1042',
    groupKey: null,
    sourceEventId: `evt-${sourceCounter}`,
    ...extra,
  };
}

interface Unread {
  unread_count: number;
}
interface Resync {
  unread_count: number;
  notifications: NotificationViewType[];
}

for (const dialect of TEST_DIALECTS) {
  describe(`GET /v1/notifications/stream on ${dialect}`, () => {
    let server: TestServer;
    let customerId: string;
    const open: SseClient[] = [];
    before(async () => {
      server = await startTestServer(dialect, { env: { NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS: '1' } });
      customerId = (await createTenant(server)).customerId;
    });
    after(async () => {
      for (const client of open) await client.close();
      await server.close();
    });

    const deliver = (drafts: NotificationDraft[]) =>
      server.ctx.database.db
        .transaction()
        .execute((trx) => deliverNotifications(trx, drafts, { now, liveFeed: server.ctx.liveFeed }));
    const stream = async (options: Parameters<typeof SseClient.open>[1]) => {
      const client = await SseClient.open(server.baseUrl, options);
      open.push(client);
      return client;
    };
    const newUser = async () => {
      const user = await createCustomerUser(server, customerId);
      return { ...user, userId: user.userId as UserId };
    };

    it('refuses a request without credentials with 401', async () => {
      const client = await stream({});
      assert.equal(client.status, 401);
      assert.match(client.header('content-type'), /problem\+json/);
    });

    it('sends the unread count, then created and updated notifications with their sequence as id, and heartbeats', async () => {
      const user = await newUser();
      await deliver([draft(user.userId, customerId)]);
      const client = await stream({ token: user.token });
      assert.equal(client.status, 200);
      assert.match(client.header('content-type'), /^text\/event-stream/);
      assert.ok(client.header('x-request-id'));
      await client.waitFor((c) => c.named('unread_count').length === 1, 'the first unread count');
      assert.deepEqual(client.dataOf<Unread>('unread_count'), [{ unread_count: 1 }]);
      assert.equal(client.named('notification.created').length, 0, 'no history without Last-Event-ID');

      const [first] = await deliver([draft(user.userId, customerId, { groupKey: 'ticket:1', title: 'New reply' })]);
      await client.waitFor((c) => c.named('unread_count').length === 2, 'the count after a new notification');
      const [created] = client.named('notification.created');
      const item = JSON.parse(created?.data ?? '{}') as NotificationViewType;
      assert.equal(item.id, first?.id);
      assert.equal(item.title, 'New reply');
      assert.equal(item.user_id, user.userId);
      assert.equal(created?.id, String(item.sequence));
      assert.deepEqual(client.dataOf<Unread>('unread_count')[1], { unread_count: 2 });

      await deliver([draft(user.userId, customerId, { groupKey: 'ticket:1', title: 'Another reply' })]);
      await client.waitFor((c) => c.named('notification.created').length === 2, 'new activity on the group');
      const grouped = client.dataOf<NotificationViewType>('notification.created')[1];
      assert.equal(grouped?.id, first?.id, 'the group is updated, not duplicated');
      assert.equal(grouped?.group_count, 2);

      await markRead(server.ctx.database.db, server.ctx.liveFeed, user.userId, [first?.id as NotificationId], now);
      await client.waitFor((c) => c.named('notification.updated').length === 1, 'the read change');
      const updated = client.dataOf<NotificationViewType>('notification.updated')[0];
      assert.equal(updated?.id, first?.id);
      assert.equal(updated?.read_at, now.toISOString());
      await client.waitFor(
        (c) => c.dataOf<Unread>('unread_count').at(-1)?.unread_count === 1,
        'the count after marking read',
      );
      await client.waitFor((c) => c.heartbeats > 0, 'a heartbeat');
    });

    it('gives every stream of a user the new unread count when one tab marks read (bearer and cookie)', async () => {
      const user = await newUser();
      const [item] = await deliver([draft(user.userId, customerId)]);
      const tab1 = await stream({ token: user.token });
      const tab2 = await stream({ cookie: `sb_session=${user.token}` });
      assert.equal(tab2.status, 200);
      for (const tab of [tab1, tab2]) await tab.waitFor((c) => c.named('unread_count').length === 1, 'first count');
      await markRead(server.ctx.database.db, server.ctx.liveFeed, user.userId, [item?.id as NotificationId], now);
      for (const tab of [tab1, tab2]) {
        await tab.waitFor((c) => c.dataOf<Unread>('unread_count').at(-1)?.unread_count === 0, 'the count in each tab');
        assert.equal(tab.named('notification.updated').length, 1);
      }
    });

    it('resumes after a disconnect mid-burst with Last-Event-ID: every item exactly once', async () => {
      const user = await newUser();
      const first = await stream({ token: user.token });
      await first.waitFor((c) => c.named('unread_count').length === 1, 'connected');
      const burst = (async () => {
        for (let batch = 0; batch < 30; batch += 1)
          await deliver(Array.from({ length: 10 }, () => draft(user.userId, customerId)));
      })();
      await first.waitFor((c) => c.named('notification.created').length >= 40, 'part of the burst');
      await first.close();
      const resumeFrom = first.lastEventId;
      assert.ok(resumeFrom);
      const second = await stream({ token: user.token, lastEventId: resumeFrom });
      await burst;
      const ids = () => [
        ...first.dataOf<NotificationViewType>('notification.created'),
        ...second.dataOf<NotificationViewType>('notification.created'),
      ];
      await second.waitFor(() => new Set(ids().map((n) => n.id)).size === 300, 'all 300 notifications');
      await second.waitFor((c) => c.dataOf<Unread>('unread_count').at(-1)?.unread_count === 300, 'the final count');
      assert.equal(ids().length, 300, 'no notification twice');
      const sequences = second.named('notification.created').map((event) => Number(event.id));
      assert.deepEqual(
        sequences,
        [...sequences].sort((a, b) => a - b),
        'replayed in order',
      );
      assert.equal(sequences[0], Number(resumeFrom) + 1, 'the replay starts right after the resume point');
    });

    it('answers garbage, future or far-past Last-Event-ID with a resync, and replays a recent one', async () => {
      const user = await newUser();
      await deliver(Array.from({ length: 1_100 }, () => draft(user.userId, customerId)));
      for (const lastEventId of ['garbage', '-3', '1', '99999999', '1e3']) {
        const client = await stream({ token: user.token, lastEventId });
        assert.equal(client.status, 200, `Last-Event-ID ${lastEventId}`);
        await client.waitFor((c) => c.named('resync').length === 1, `a resync for ${lastEventId}`);
        const [resync] = client.named('resync');
        const data = JSON.parse(resync?.data ?? '{}') as Resync;
        assert.equal(data.unread_count, 1_100);
        assert.equal(data.notifications.length, 50);
        assert.equal(data.notifications[0]?.sequence, 1_100, 'newest first');
        assert.equal(resync?.id, '1100', 'resumable from the resync');
        assert.equal(client.named('notification.created').length, 0);
        await client.close();
      }
      const recent = await stream({ token: user.token, lastEventId: '1095' });
      await recent.waitFor((c) => c.named('unread_count').length === 1, 'the replay');
      assert.deepEqual(
        recent.named('notification.created').map((event) => event.id),
        ['1096', '1097', '1098', '1099', '1100'],
      );
      assert.equal(recent.named('resync').length, 0);
    });
  });

  describe(`a slow stream client on ${dialect}`, () => {
    let server: TestServer;
    let customerId: string;
    before(async () => {
      server = await startTestServer(dialect, { env: { NOTIFICATIONS_STREAM_QUEUE_BYTES: '65536' } });
      customerId = (await createTenant(server)).customerId;
    });
    after(async () => server.close());

    const deliverMany = (userId: UserId, count: number, body: string) =>
      server.ctx.database.db.transaction().execute((trx) =>
        deliverNotifications(
          trx,
          Array.from({ length: count }, () => draft(userId, customerId, { body })),
          { now, liveFeed: server.ctx.liveFeed },
        ),
      );

    it('paces a long replay to what the client takes, in chunks under the cap', async () => {
      const user = await createCustomerUser(server, customerId);
      await deliverMany(user.userId as UserId, 800, 'y'.repeat(4_000));
      const client = await SseClient.open(server.baseUrl, { token: user.token, lastEventId: '0' });
      try {
        await client.waitFor((c) => c.named('notification.created').length === 800, 'all 800 replayed');
        assert.equal(client.ended, false, 'a client that reads is never cut');
        assert.deepEqual(
          client.named('notification.created').map((event) => Number(event.id)),
          Array.from({ length: 800 }, (_, index) => index + 1),
        );
      } finally {
        await client.close();
      }
    });

    it('cuts a client that stops reading once it falls too far behind, and lets it resync', async () => {
      const user = await createCustomerUser(server, customerId);
      const userId = user.userId as UserId;
      const raw = openRawStream(server.baseUrl, user.token);
      let received = '';
      raw.socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
      });
      await waitFor(() => received.includes('event: unread_count'), 10_000, 'the first count');
      raw.socket.pause();
      let cut = false;
      void raw.closed.then(() => {
        cut = true;
      });
      // 12 MB: far more than the kernel's socket buffers hold, and more than MAX_REPLAY_CHANGES behind.
      const delivered = 3_000;
      for (let batch = 0; batch < delivered / 100; batch += 1) await deliverMany(userId, 100, 'x'.repeat(4_000));
      // The server drops the connection (the paused client cannot notice yet); reading again, the
      // client gets what was already on its way, then the end of the cut stream.
      const openConnections = () =>
        new Promise<number>((resolve, reject) =>
          server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
        );
      await waitFor(async () => (await openConnections()) === 0, 10_000, 'the server to drop the stream');
      raw.socket.resume();
      await waitFor(() => cut, 10_000, 'the stream to be cut');
      const ids = [...received.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
      assert.ok(ids.length < delivered, `the stream was cut after ${ids.length} of ${delivered} events`);
      assert.ok(delivered - (ids.at(-1) ?? 0) > MAX_REPLAY_CHANGES);
      const lastId = String(ids.at(-1) ?? 0);
      const resumed = await SseClient.open(server.baseUrl, { token: user.token, lastEventId: lastId });
      try {
        await resumed.waitFor(
          (c) =>
            c.dataOf<Resync>('resync').at(-1)?.unread_count === delivered ||
            c.dataOf<Unread>('unread_count').at(-1)?.unread_count === delivered,
          'the resumed stream catching up',
        );
      } finally {
        await resumed.close();
      }
    });
  });

  describe(`a closing server on ${dialect}`, () => {
    it('ends every stream with a short retry hint, so clients reconnect to another process', async () => {
      const server = await startTestServer(dialect);
      let client: SseClient | null = null;
      try {
        const user = await createCustomerUser(server, (await createTenant(server)).customerId);
        client = await SseClient.open(server.baseUrl, { token: user.token });
        await client.waitFor((c) => c.named('unread_count').length === 1, 'the first unread count');
        assert.deepEqual(client.retries, [2_000]);
        await server.app.close();
        await client.waitFor((c) => c.ended, 'the stream to end');
        const farewell = client.retries[1] ?? 0;
        assert.equal(client.retries.length, 2);
        assert.ok(farewell >= 250 && farewell < 2_250, `retry ${farewell}`);
      } finally {
        await client?.close();
        await server.close();
      }
    });
  });
}
