import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { waitFor } from '../jobs/testing/helpers.ts';
import { categoryOf, DISPATCH_JOB, emitEvent, emitEvents } from './outbox.ts';

const fixture = fileURLToPath(new URL('./testing/crash-writer.ts', import.meta.url));

describe('event categories', () => {
  const cases: [string, string][] = [
    ['ticket.created', 'support-events'],
    ['ticket.comment.added', 'support-events'],
    ['cost.budget.exceeded', 'cost-alerts'],
    ['webhook.endpoint.disabled', 'webhook-events'],
    ['user.invited', 'notifications'],
    ['tickets', 'notifications'],
  ];
  for (const [type, category] of cases) it(`${type} → ${category}`, () => assert.equal(categoryOf(type), category));
});

/** What a customer id left behind: its row, its events, and their dispatch jobs. */
async function traces(db: Kysely<Database>, customerId: string) {
  const customers = await db.selectFrom('customers').select('id').where('id', '=', customerId).execute();
  const events = await db.selectFrom('events').selectAll().where('customer_id', '=', customerId).execute();
  const jobs = await db.selectFrom('jobs').selectAll().where('name', '=', DISPATCH_JOB).execute();
  const dispatches = jobs.filter((job) =>
    events.some((event) => job.payload === JSON.stringify({ eventId: event.id })),
  );
  return { customers: customers.length, events, dispatches, allDispatches: jobs.length };
}

async function insertCustomer(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('customers')
    .values({
      id,
      name: 'Acme',
      tier: 'standard',
      status: 'active',
      last_ticket_number: 1000,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

for (const dialect of TEST_DIALECTS) {
  describe(`outbox on ${dialect}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => {
      await database.destroy();
    });

    it('commits a change, its event and the dispatch job together', async () => {
      const now = new Date('2026-01-05T10:00:00.000Z');
      const event = await database.db.transaction().execute(async (trx) => {
        await insertCustomer(trx, 'cus_commit', now);
        return emitEvent(trx, { type: 'ticket.created', customerId: 'cus_commit', data: { number: 'SB-1001' } }, now);
      });
      assert.match(event.id, /^evt_[0-9a-f]{32}$/);
      assert.equal(event.category, 'support-events');
      const found = await traces(database.db, 'cus_commit');
      assert.equal(found.customers, 1);
      assert.deepEqual(
        found.events.map((row) => [row.id, row.type, row.category, JSON.parse(row.data), row.created_at]),
        [[event.id, 'ticket.created', 'support-events', { number: 'SB-1001' }, now.toISOString()]],
      );
      assert.equal(found.dispatches.length, 1);
      assert.equal(found.dispatches[0]?.status, 'pending');
      const explicit = await emitEvent(
        database.db,
        { type: 'ticket.created', customerId: 'cus_commit', data: null, category: 'notifications' },
        now,
      );
      assert.equal(explicit.category, 'notifications');
    });

    it('emits a batch of events with one dispatch job each, in order, ids increasing', async () => {
      const now = new Date('2026-01-05T11:00:00.000Z');
      const records = await database.db.transaction().execute((trx) =>
        emitEvents(
          trx,
          Array.from({ length: 6_001 }, (_, index) => ({
            type: 'notification.created',
            customerId: 'cus_batch',
            data: { index },
          })),
          now,
        ),
      );
      assert.equal(records.length, 6_001);
      assert.deepEqual(
        records.slice(0, 3).map((record) => record.data),
        [{ index: 0 }, { index: 1 }, { index: 2 }],
      );
      assert.ok(records.every((record, i) => i === 0 || (records[i - 1] as { id: string }).id < record.id));
      const found = await traces(database.db, 'cus_batch');
      assert.equal(found.events.length, 6_001);
      assert.equal(found.dispatches.length, 6_001);
      assert.deepEqual(await emitEvents(database.db, [], now), []);
    });

    it('rolls back the change, the event and the dispatch job together', async () => {
      const now = new Date();
      await assert.rejects(
        database.db.transaction().execute(async (trx) => {
          await insertCustomer(trx, 'cus_rollback', now);
          await emitEvent(trx, { type: 'customer.created', customerId: 'cus_rollback', data: {} }, now);
          throw new Error('the request failed after writing');
        }),
        /the request failed/,
      );
      const found = await traces(database.db, 'cus_rollback');
      assert.deepEqual([found.customers, found.events.length, found.dispatches.length], [0, 0, 0]);
    });

    it('leaves nothing behind when the process dies before commit (kill -9)', { timeout: 60_000 }, async () => {
      const before = await traces(database.db, 'cus_crash');
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: { ...process.env, ...database.env, CUSTOMER_ID: 'cus_crash' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        await waitFor(() => output.includes('WRITTEN'), 30_000, 'the child to write inside its transaction');
        const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
      } finally {
        child.kill('SIGKILL');
      }
      const found = await traces(database.db, 'cus_crash');
      assert.deepEqual([found.customers, found.events.length, found.allDispatches], [0, 0, before.allDispatches]);
      // The dead writer's lock is gone: the same change commits now.
      await database.db.transaction().execute(async (trx) => {
        await insertCustomer(trx, 'cus_crash', new Date());
        await emitEvent(trx, { type: 'customer.created', customerId: 'cus_crash', data: {} }, new Date());
      });
      const retried = await traces(database.db, 'cus_crash');
      assert.deepEqual([retried.customers, retried.events.length, retried.dispatches.length], [1, 1, 1]);
    });
  });
}
