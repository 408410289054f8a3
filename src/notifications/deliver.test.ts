import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UserId } from '../identity/tables.ts';
import { createMemoryLiveFeed } from '../realtime/live-feed.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { deliverNotifications } from './deliver.ts';
import type { NotificationDraft } from './deliver.ts';
import { INBOX_CHANNEL, parseInboxChanges } from './stream/signal.ts';

const now = new Date('2026-03-02T10:00:00.000Z');

function draft(userId: string, sourceEventId: string | null, groupKey: string | null = null): NotificationDraft {
  return {
    userId: userId as UserId,
    customerId: 'cus_1',
    type: 'support',
    priority: 'medium',
    title: `about ${sourceEventId ?? 'nothing'}`,
    body: 'body',
    actionUrl: null,
    groupKey,
    sourceEventId,
  };
}

for (const dialect of TEST_DIALECTS) {
  describe(`deliverNotifications (${dialect})`, () => {
    let database: TestDatabase;
    const liveFeed = createMemoryLiveFeed();
    const signals: string[] = [];
    before(async () => {
      database = await createTestDatabase(dialect);
      liveFeed.subscribe(INBOX_CHANNEL, (payload) => signals.push(payload));
    });
    after(async () => {
      await liveFeed.close();
      await database.destroy();
    });
    const deliver = (drafts: NotificationDraft[]) =>
      database.db.transaction().execute((trx) => deliverNotifications(trx, drafts, { now, liveFeed }));
    const rowsOf = (userId: string) =>
      database.db
        .selectFrom('notifications')
        .selectAll()
        .where('user_id', '=', userId as UserId)
        .execute();

    it('gives each user one notification per source event, even when the event is delivered again', async () => {
      const first = await deliver([draft('u-a', 'evt-1'), draft('u-b', 'evt-1'), draft('u-a', 'evt-1')]);
      assert.equal(first.length, 2);
      const again = await deliver([draft('u-a', 'evt-1'), draft('u-b', 'evt-1')]);
      assert.deepEqual(again, []);
      assert.equal((await rowsOf('u-a')).length, 1);
      assert.equal((await rowsOf('u-b')).length, 1);
    });

    it('numbers each user’s changes 1, 2, 3… in order', async () => {
      await deliver([draft('u-seq', 'evt-s1'), draft('u-seq', 'evt-s2')]);
      await deliver([draft('u-seq', 'evt-s3')]);
      const seqs = (await rowsOf('u-seq')).map((row) => Number(row.activity_seq)).sort((a, b) => a - b);
      assert.deepEqual(seqs, [1, 2, 3]);
    });

    it('gathers activity on one group into the user’s open notification, unread again', async () => {
      const [created] = await deliver([draft('u-g', 'evt-g1', 'ticket:1')]);
      assert.ok(created);
      await database.db
        .updateTable('notifications')
        .set({ read_at: now.toISOString() })
        .where('id', '=', created.id)
        .execute();
      const [updated] = await deliver([draft('u-g', 'evt-g2', 'ticket:1'), draft('u-g', 'evt-g3', 'ticket:1')]);
      assert.equal(updated?.id, created.id);
      const rows = await rowsOf('u-g');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.group_count, 3);
      assert.equal(rows[0]?.read_at, null);
      assert.equal(rows[0]?.source_event_id, 'evt-g3');
      assert.equal(Number(rows[0]?.activity_seq), 3);
    });

    it('starts a new notification once the group’s notification is archived', async () => {
      const [first] = await deliver([draft('u-arch', 'evt-a1', 'ticket:2')]);
      await database.db
        .updateTable('notifications')
        .set({ archived_at: now.toISOString() })
        .where('id', '=', first?.id as string as never)
        .execute();
      const [second] = await deliver([draft('u-arch', 'evt-a2', 'ticket:2')]);
      assert.notEqual(second?.id, first?.id);
    });

    it('drops drafts of a muted thread and nothing else', async () => {
      await database.db
        .insertInto('notification_mutes')
        .values({ user_id: 'u-m' as UserId, group_key: 'ticket:3', created_at: now.toISOString() })
        .execute();
      const delivered = await deliver([draft('u-m', 'evt-m1', 'ticket:3'), draft('u-m', 'evt-m2', 'ticket:4')]);
      assert.deepEqual(
        delivered.map((row) => row.group_key),
        ['ticket:4'],
      );
    });

    it('announces each user’s newest sequence on the live feed', async () => {
      signals.length = 0;
      await deliver([draft('u-live', 'evt-l1'), draft('u-live', 'evt-l2'), draft('u-live2', 'evt-l1')]);
      const changes = signals.flatMap(parseInboxChanges);
      assert.deepEqual(
        changes.sort((a, b) => a.userId.localeCompare(b.userId)),
        [
          { userId: 'u-live', seq: 2 },
          { userId: 'u-live2', seq: 1 },
        ],
      );
    });

    it('fans one event out to 3,000 users in one transaction', async () => {
      const drafts = Array.from({ length: 3_000 }, (_, index) => draft(`fan-${index}`, 'evt-fan', 'announce:1'));
      const delivered = await deliver(drafts);
      assert.equal(delivered.length, 3_000);
      const count = await database.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('source_event_id', '=', 'evt-fan')
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 3_000);
    });
  });
}
