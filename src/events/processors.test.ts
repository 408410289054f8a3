import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { enqueueJob } from '../jobs/enqueue.ts';
import { JobRunner } from '../jobs/runner.ts';
import { allJobs } from '../jobs/testing/helpers.ts';
import { exponentialBackoff } from '../jobs/types.ts';
import { DISPATCH_JOB, emitEvent } from './outbox.ts';
import type { EventRecord } from './outbox.ts';
import { createEventDispatcher } from './processors.ts';
import type { EventProcessor } from './processors.ts';

const FAR = 24 * 3_600_000;

/** A processor that records each call and writes one follow-up job (kept pending far in the future). */
function recordingProcessor(name: string, prefix: string, calls: EventRecord[], failFirst = 0): EventProcessor {
  let failures = failFirst;
  return {
    name,
    handles: (type) => type.startsWith(prefix),
    process: async (trx, event) => {
      calls.push(event);
      await enqueueJob(
        trx,
        {
          name: `${name}.follow-up`,
          payload: { eventId: event.id },
          runAt: new Date(Date.parse(event.createdAt) + FAR),
        },
        new Date(event.createdAt),
      );
      if (failures > 0) {
        failures -= 1;
        throw new Error(`${name} is down`);
      }
    },
  };
}

for (const dialect of TEST_DIALECTS) {
  describe(`event dispatcher on ${dialect}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => {
      await database.destroy();
    });

    it('runs every matching processor once, in the transaction that completes the dispatch job', async () => {
      await database.db.deleteFrom('jobs').execute();
      const clock = manualClock();
      const a: EventRecord[] = [];
      const b: EventRecord[] = [];
      const other: EventRecord[] = [];
      const processors = [
        recordingProcessor('a', 'ticket.', a),
        recordingProcessor('b', '', b),
        recordingProcessor('c', 'cost.', other),
      ];
      const runner = new JobRunner({ handle: database, clock, handlers: createEventDispatcher(processors) });
      const event = await emitEvent(database.db, { type: 'ticket.created', customerId: null, data: { n: 1 } }, clock());
      assert.equal(await runner.runOnce(), 1);
      assert.deepEqual([a.length, b.length, other.length], [1, 1, 0]);
      assert.deepEqual(a[0], event);
      const jobs = await allJobs(database.db);
      assert.deepEqual(jobs.map((job) => job.name).sort(), ['a.follow-up', 'b.follow-up']);
      assert.equal(await runner.runOnce(), 0, 'the dispatch job is gone');
    });

    it('rolls back every processor when one fails, and the retry runs each once', async () => {
      await database.db.deleteFrom('jobs').execute();
      const clock = manualClock();
      const a: EventRecord[] = [];
      const b: EventRecord[] = [];
      const processors = [recordingProcessor('a', 'ticket.', a), recordingProcessor('b', 'ticket.', b, 1)];
      const runner = new JobRunner({
        handle: database,
        clock,
        backoff: exponentialBackoff(1_000),
        handlers: createEventDispatcher(processors),
      });
      await emitEvent(database.db, { type: 'ticket.updated', customerId: null, data: {} }, clock());
      assert.equal(await runner.runOnce(), 1);
      let jobs = await allJobs(database.db);
      assert.deepEqual(
        jobs.map((job) => [job.name, job.status, job.attempts]),
        [[DISPATCH_JOB, 'pending', 1]],
        "a's follow-up was rolled back",
      );
      assert.match(jobs[0]?.last_error ?? '', /processor b: b is down/);
      clock.advance(1_000);
      assert.equal(await runner.runOnce(), 1);
      jobs = await allJobs(database.db);
      assert.deepEqual(jobs.map((job) => job.name).sort(), ['a.follow-up', 'b.follow-up']);
      assert.deepEqual([a.length, b.length], [2, 2], 'called twice, committed once');
    });

    it('does not commit the fan-out when the dispatch job was taken over by another worker', async () => {
      await database.db.deleteFrom('jobs').execute();
      const clock = manualClock();
      const calls: EventRecord[] = [];
      const dispatch = createEventDispatcher([recordingProcessor('a', '', calls)])[DISPATCH_JOB];
      await emitEvent(database.db, { type: 'ticket.created', customerId: null, data: {} }, clock());
      const runner = new JobRunner({
        handle: database,
        clock,
        leaseMs: 1_000,
        handlers: {
          [DISPATCH_JOB]: async (job, ctx) => {
            // Stall past the lease; another worker reclaims the job meanwhile.
            clock.advance(1_001);
            await database.db.updateTable('jobs').set({ locked_by: 'someone-else' }).where('id', '=', job.id).execute();
            await dispatch(job, ctx);
          },
        },
      });
      assert.equal(await runner.runOnce(), 1);
      const jobs = await allJobs(database.db);
      assert.deepEqual(
        jobs.map((job) => [job.name, job.locked_by]),
        [[DISPATCH_JOB, 'someone-else']],
        'no follow-up committed',
      );
      assert.equal(calls.length, 1);
    });

    it('refuses two processors with one name', () => {
      const p = recordingProcessor('same', '', []);
      assert.throws(() => createEventDispatcher([p, p]), /two event processors are named 'same'/);
    });
  });
}
