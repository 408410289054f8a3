import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import type { UserId } from '../../identity/tables.ts';
import { createTestDatabase, TEST_DIALECTS } from '../../testing/database.ts';
import type { TestDatabase } from '../../testing/database.ts';
import type { NotificationId } from '../ids.ts';
import type { Notification } from '../presenter.ts';
import { planNotificationEmails } from './plan.ts';
import { DIGEST_JOB, SEND_EMAIL_JOB } from './queue.ts';

const now = new Date('2026-03-02T15:00:00.000Z');
const iso = now.toISOString();

function notificationFor(userId: string, index: number, extra: Partial<Notification> = {}): Notification {
  return {
    id: `n-${userId}-${index}` as NotificationId,
    customer_id: null,
    user_id: userId as UserId,
    type: 'support',
    priority: 'medium',
    title: `title ${index}`,
    body: 'body',
    action_url: null,
    source_event_id: null,
    group_key: null,
    group_count: 1,
    activity_seq: index,
    change_seq: index,
    created_at: iso,
    updated_at: iso,
    seen_at: null,
    read_at: null,
    archived_at: null,
    ...extra,
  };
}

for (const dialect of TEST_DIALECTS) {
  describe(`planNotificationEmails (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
      await database.db
        .insertInto('customers')
        .values(
          ['cus_plain', 'cus_off'].map((id) => ({
            id,
            name: id,
            tier: 'standard' as const,
            status: 'active' as const,
            last_ticket_number: 0,
            created_at: iso,
            updated_at: iso,
          })),
        )
        .execute();
    });
    after(async () => database.destroy());

    async function addUsers(prefix: string, count: number, customerId: string | null, status = 'active') {
      const users = Array.from({ length: count }, (_, i) => ({
        id: `${prefix}-${i}` as UserId,
        customer_id: customerId,
        email: `${prefix}-${i}@example.test`,
        name: `${prefix} ${i}`,
        role: 'member' as const,
        password_hash: null,
        status: status as 'active',
        created_at: iso,
        updated_at: iso,
        last_login_at: null,
      }));
      await database.db.insertInto('users').values(users).execute();
      return users.map((user) => user.id);
    }

    it('plans a 1,000-user fan-out in a handful of statements, honouring every preference', async () => {
      const plain = await addUsers('plain', 700, 'cus_plain');
      const tenantOff = await addUsers('toff', 100, 'cus_off');
      const optedBackIn = await addUsers('tin', 50, 'cus_off');
      const optedOut = await addUsers('uoff', 50, 'cus_plain');
      const quiet = await addUsers('quiet', 50, 'cus_plain');
      const disabled = await addUsers('gone', 50, 'cus_plain', 'disabled');
      await database.db
        .insertInto('notification_tenant_defaults')
        .values({ customer_id: 'cus_off', email: JSON.stringify({ support: false }), updated_at: iso })
        .execute();
      const prefs = [
        ...optedBackIn.map((id) => ({ user_id: id, email: JSON.stringify({ support: true }), quiet_hours: null })),
        ...optedOut.map((id) => ({ user_id: id, email: JSON.stringify({ support: false }), quiet_hours: null })),
        ...quiet.map((id) => ({
          user_id: id,
          email: '{}',
          // 15:00 UTC is 20:30 in Kolkata: inside 20:00–08:00.
          quiet_hours: JSON.stringify({
            start: '20:00',
            end: '08:00',
            time_zone: 'Asia/Kolkata',
            days: [1, 2, 3, 4, 5, 6, 7],
          }),
        })),
      ];
      await database.db
        .insertInto('notification_preferences')
        .values(prefs.map((p) => ({ ...p, customer_id: null, updated_at: iso })))
        .execute();
      const everyone = [...plain, ...tenantOff, ...optedBackIn, ...optedOut, ...quiet, ...disabled, 'nobody' as UserId];

      let statements = 0;
      const counter: KyselyPlugin = {
        transformQuery: (args) => {
          statements += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      await database.db.transaction().execute((trx) =>
        planNotificationEmails(
          trx.withPlugin(counter),
          everyone.map((id, i) => notificationFor(id, i)),
          now,
        ),
      );
      assert.ok(statements <= 8, `${statements} statements for 1,000 users`);

      const emails = await database.db
        .selectFrom('notification_emails')
        .select(['user_id', 'status', 'send_after'])
        .execute();
      const emailed = new Set(emails.map((e) => e.user_id));
      assert.equal(emails.length, 700 + 50 + 50);
      for (const id of [...plain, ...optedBackIn, ...quiet]) assert.ok(emailed.has(id), `${id} emailed`);
      for (const id of [...tenantOff, ...optedOut, ...disabled]) assert.ok(!emailed.has(id), `${id} not emailed`);
      const deferred = emails.filter((e) => e.send_after !== iso);
      assert.equal(deferred.length, 50);
      assert.ok(
        deferred.every((e) => e.send_after === '2026-03-03T02:30:00.000Z'),
        '08:00 in Kolkata',
      );
      const jobs = await database.db.selectFrom('jobs').select(['name']).where('name', '=', SEND_EMAIL_JOB).execute();
      assert.equal(jobs.length, 800);
      const logged = await database.db.selectFrom('notification_email_attempts').select('status').execute();
      assert.equal(logged.length, 800);
      assert.ok(logged.every((row) => row.status === 'queued'));
    });

    it('lets critical notifications through quiet hours and storm control, and holds back a storm for one digest', async () => {
      const [user] = await addUsers('storm', 1, null);
      await database.db
        .insertInto('notification_preferences')
        .values({
          user_id: user as UserId,
          customer_id: null,
          email: '{}',
          quiet_hours: JSON.stringify({ start: '00:00', end: '23:59', time_zone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7] }),
          updated_at: iso,
        })
        .execute();
      const storm = Array.from({ length: 14 }, (_, i) => notificationFor(user as string, i, { priority: 'high' }));
      const critical = Array.from({ length: 3 }, (_, i) =>
        notificationFor(user as string, 100 + i, { priority: 'critical' }),
      );
      await database.db
        .transaction()
        .execute((trx) => planNotificationEmails(trx, storm.slice(0, 12), now, { ratePerHour: 10 }));
      await database.db
        .transaction()
        .execute((trx) => planNotificationEmails(trx, [...storm.slice(12), ...critical], now, { ratePerHour: 10 }));
      const rows = await database.db
        .selectFrom('notification_emails')
        .select(['status', 'send_after', 'notification_id'])
        .where('user_id', '=', user as UserId)
        .execute();
      const criticalIds = new Set<string>(critical.map((n) => n.id));
      const criticalRows = rows.filter((r) => criticalIds.has(r.notification_id as string));
      assert.equal(criticalRows.length, 3);
      assert.ok(
        criticalRows.every((r) => r.status === 'queued' && r.send_after === iso),
        'critical is neither deferred nor suppressed',
      );
      const stormRows = rows.filter((r) => !criticalIds.has(r.notification_id as string));
      assert.equal(stormRows.filter((r) => r.status === 'queued').length, 10);
      assert.ok(
        stormRows.filter((r) => r.status === 'queued').every((r) => r.send_after > iso),
        'quiet hours defer',
      );
      assert.equal(stormRows.filter((r) => r.status === 'suppressed').length, 4);
      const digests = await database.db
        .selectFrom('jobs')
        .select(['run_at'])
        .where('name', '=', DIGEST_JOB)
        .where('unique_key', '=', `notif-digest:${user}`)
        .execute();
      assert.equal(digests.length, 1);
      assert.equal(digests[0]?.run_at, new Date(now.getTime() + 3_600_000).toISOString());
    });
  });
}
