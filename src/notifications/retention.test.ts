import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config/config.ts';
import type { UserId } from '../identity/tables.ts';
import { createMemoryLiveFeed } from '../realtime/live-feed.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { deliverNotifications } from './deliver.ts';
import type { NotificationDraft } from './deliver.ts';
import { sweepNotifications } from './retention.ts';

const DAY = 86_400_000;
const start = new Date('2026-01-01T00:00:00.000Z');
const at = (days: number) => new Date(start.getTime() + days * DAY);

const draft = (userId: string, source: string, groupKey: string | null = null): NotificationDraft => ({
  userId: userId as UserId,
  customerId: 'cus-1',
  type: 'informational',
  priority: 'low',
  title: source,
  body: 'b',
  actionUrl: null,
  groupKey,
  sourceEventId: source,
});

describe('RETENTION_NOTIFICATIONS_DAYS', () => {
  it('defaults to 30 and refuses a bad value naming the variable', () => {
    assert.equal(loadConfig({}).retentionDays.notifications, 30);
    assert.equal(loadConfig({ RETENTION_NOTIFICATIONS_DAYS: '7' }).retentionDays.notifications, 7);
    assert.throws(() => loadConfig({ RETENTION_NOTIFICATIONS_DAYS: 'forever' }), /RETENTION_NOTIFICATIONS_DAYS/);
    assert.throws(() => loadConfig({ RETENTION_NOTIFICATIONS_DAYS: '0' }), /RETENTION_NOTIFICATIONS_DAYS/);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`notification retention on ${dialect}`, () => {
    let database: TestDatabase;
    const liveFeed = createMemoryLiveFeed();
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => {
      await liveFeed.close();
      await database.destroy();
    });
    const deliver = (now: Date, drafts: NotificationDraft[]) =>
      database.db.transaction().execute((trx) => deliverNotifications(trx, drafts, { now, liveFeed }));

    it('sweeps notifications and source keys past the retention, keeps recent ones and live threads', async () => {
      await deliver(at(0), [draft('u1', 'old-1'), draft('u2', 'old-1'), draft('u1', 'thread-1', 'ticket:1')]);
      await deliver(at(25), [draft('u1', 'recent-1')]);
      await deliver(at(29), [draft('u1', 'thread-2', 'ticket:1')]);

      assert.equal(await sweepNotifications(database.db, at(30), 30), 0, 'nothing is 30 days old yet');
      const deleted = await sweepNotifications(database.db, at(31), 30);
      const titles = (await database.db.selectFrom('notifications').select('title').orderBy('title').execute()).map(
        (row) => row.title,
      );
      assert.deepEqual(titles, ['recent-1', 'thread-2'], 'the thread active on day 29 stays');
      const sources = await database.db.selectFrom('notification_sources').select('source_event_id').execute();
      assert.deepEqual(sources.map((row) => row.source_event_id).sort(), ['recent-1', 'thread-2']);
      assert.equal(deleted, 2 + 3);
      const counter = await database.db
        .selectFrom('notification_inboxes')
        .select('last_seq')
        .where('user_id', '=', 'u1' as UserId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(counter.last_seq), 4, 'sequence counters are never swept');
    });

    it('deletes in chunks until done', async () => {
      const drafts = Array.from({ length: 12_000 }, (_, index) => draft(`bulk-${index % 7}`, `bulk-${index}`));
      await deliver(at(100), drafts);
      // 12,000 notifications and their 12,000 keys, plus the two of each left by the test above.
      assert.equal(await sweepNotifications(database.db, at(200), 30), 24_004);
      const left = await database.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('title', 'like', 'bulk-%')
        .executeTakeFirstOrThrow();
      assert.equal(Number(left.n), 0);
    });
  });
}
