import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UserId } from '../../identity/tables.ts';
import { startApiProcess } from '../../testing/api-process.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createCustomerUser, createTenant } from '../../testing/factories.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { deliverNotifications } from '../deliver.ts';
import type { NotificationId } from '../ids.ts';
import type { NotificationViewType } from '../schemas.ts';
import { markRead } from './testing/inbox.ts';
import { SseClient } from './testing/sse-client.ts';

if (TEST_DIALECTS.includes('postgres')) {
  describe('live streams across API processes on postgres', () => {
    let writer: TestServer;
    let api: ReturnType<typeof startApiProcess>;
    before(async () => {
      writer = await startTestServer('postgres');
      api = startApiProcess(writer.database.env);
    });
    after(async () => {
      if (api.child.exitCode === null) api.child.kill('SIGKILL');
      await writer.close();
    });

    it('delivers a notification written by one process to a stream held by another, and read state back', async () => {
      const { customerId } = await createTenant(writer);
      const user = await createCustomerUser(writer, customerId);
      const userId = user.userId as UserId;
      const stream = await SseClient.open(await api.baseUrl, { token: user.token });
      try {
        assert.equal(stream.status, 200);
        await stream.waitFor((c) => c.named('unread_count').length === 1, 'the first count from process A');
        const now = new Date();
        const [created] = await writer.database.db.transaction().execute((trx) =>
          deliverNotifications(
            trx,
            [
              {
                userId,
                customerId,
                type: 'support',
                priority: 'critical',
                title: 'Ticket SB-1 is critical',
                body: 'A customer opened a critical ticket',
                actionUrl: '/support/SB-1',
                groupKey: 'ticket:SB-1',
                sourceEventId: 'evt-cross-process',
              },
            ],
            { now, liveFeed: writer.ctx.liveFeed },
          ),
        );
        await stream.waitFor((c) => c.named('notification.created').length === 1, 'the notification from process B');
        const item = stream.dataOf<NotificationViewType>('notification.created')[0];
        assert.equal(item?.id, created?.id);
        assert.equal(item?.title, 'Ticket SB-1 is critical');
        await stream.waitFor(
          (c) => c.dataOf<{ unread_count: number }>('unread_count').at(-1)?.unread_count === 1,
          'count 1',
        );

        await markRead(writer.database.db, writer.ctx.liveFeed, userId, [created?.id as NotificationId], now);
        await stream.waitFor((c) => c.named('notification.updated').length === 1, 'the read change from process B');
        await stream.waitFor(
          (c) => c.dataOf<{ unread_count: number }>('unread_count').at(-1)?.unread_count === 0,
          'count 0',
        );
      } finally {
        await stream.close();
      }
    });
  });
}
