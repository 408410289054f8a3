import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { manualClock } from '../config/clock.ts';
import { openDatabase } from '../database/connection.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { enqueueJob, enqueueJobs } from './enqueue.ts';
import { claimJobs, completeJobs } from './queue.ts';
import { DEFAULT_LEASE_MS, JobRunner } from './runner.ts';
import { allJobs, waitFor } from './testing/helpers.ts';
import { combineJobHandlers, exponentialBackoff, LeaseLost, PermanentFailure, RetryLater } from './types.ts';
import type { ClaimedJob, JobHandler } from './types.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`job runner on ${dialect}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => {
      await database.destroy();
    });
    // Each test uses its own job names and clears the queue, so tests share one database.
    const reset = async () => {
      await database.db.deleteFrom('jobs').execute();
      await database.db.deleteFrom('job_schedules').execute();
    };

    it('runs enqueued jobs and deletes them on success', async () => {
      await reset();
      const clock = manualClock();
      const seen: ClaimedJob[] = [];
      const runner = new JobRunner({
        handle: database,
        clock,
        handlers: { 'test.ok': async (job) => void seen.push(job) },
      });
      await enqueueJob(database.db, { name: 'test.ok', payload: { n: 1 } }, clock());
      await database.db.transaction().execute((trx) =>
        enqueueJobs(
          trx,
          [2, 3].map((n) => ({ name: 'test.ok', payload: { n } })),
          clock(),
        ),
      );
      assert.equal(await runner.drain(), 3);
      assert.deepEqual(
        seen.map((job) => job.payload).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        [{ n: 1 }, { n: 2 }, { n: 3 }],
      );
      assert.ok(seen.every((job) => job.attempts === 1 && job.maxAttempts === 10));
      assert.deepEqual(await allJobs(database.db), []);
    });

    it('retries a failing job with backoff, then marks it dead with the error', async () => {
      await reset();
      const clock = manualClock();
      let runs = 0;
      const runner = new JobRunner({
        handle: database,
        clock,
        backoff: exponentialBackoff(1_000, 60_000),
        handlers: { 'test.fail': async () => void ((runs += 1), assert.fail(`boom ${runs}`)) },
      });
      await enqueueJob(database.db, { name: 'test.fail', payload: {}, maxAttempts: 3 }, clock());
      assert.equal(await runner.runOnce(), 1);
      let [job] = await allJobs(database.db);
      assert.equal(job?.status, 'pending');
      assert.equal(job?.attempts, 1);
      assert.equal(job?.run_at, new Date(clock().getTime() + 1_000).toISOString());
      assert.match(job?.last_error ?? '', /boom 1/);
      assert.equal(await runner.runOnce(), 0, 'not due before the backoff');
      clock.advance(1_000);
      assert.equal(await runner.runOnce(), 1);
      [job] = await allJobs(database.db);
      assert.equal(job?.run_at, new Date(clock().getTime() + 2_000).toISOString());
      clock.advance(2_000);
      assert.equal(await runner.runOnce(), 1);
      [job] = await allJobs(database.db);
      assert.equal(job?.status, 'dead');
      assert.equal(job?.attempts, 3);
      assert.match(job?.last_error ?? '', /boom 3/);
      clock.advance(3_600_000);
      assert.equal(await runner.runOnce(), 0, 'dead jobs are never claimed');
      assert.equal(runs, 3);
    });

    it('honours RetryLater (optionally without consuming an attempt) and PermanentFailure', async () => {
      await reset();
      const clock = manualClock();
      const runner = new JobRunner({
        handle: database,
        clock,
        handlers: {
          'test.later': async () => {
            throw new RetryLater(5_000);
          },
          'test.free': async () => {
            throw new RetryLater(7_000, 'rate limited', { consumeAttempt: false });
          },
          'test.permanent': async () => {
            throw new PermanentFailure('bad address');
          },
        },
      });
      await enqueueJobs(
        database.db,
        ['test.later', 'test.free', 'test.permanent'].map((name) => ({ name, payload: null })),
        clock(),
      );
      assert.equal(await runner.runOnce(), 3);
      const byName = new Map((await allJobs(database.db)).map((job) => [job.name, job]));
      assert.equal(byName.get('test.later')?.run_at, new Date(clock().getTime() + 5_000).toISOString());
      assert.equal(byName.get('test.later')?.attempts, 1);
      assert.equal(byName.get('test.free')?.run_at, new Date(clock().getTime() + 7_000).toISOString());
      assert.equal(byName.get('test.free')?.attempts, 0);
      assert.equal(byName.get('test.permanent')?.status, 'dead');
      assert.equal(byName.get('test.permanent')?.last_error, 'PermanentFailure: bad address');
    });

    it('respects run_at and dedupes by unique key', async () => {
      await reset();
      const clock = manualClock();
      let runs = 0;
      const runner = new JobRunner({
        handle: database,
        clock,
        handlers: { 'test.later': async () => void (runs += 1) },
      });
      const runAt = new Date(clock().getTime() + 3_600_000);
      const first = await enqueueJob(
        database.db,
        { name: 'test.later', payload: 1, runAt, uniqueKey: 'once' },
        clock(),
      );
      const second = await enqueueJob(
        database.db,
        { name: 'test.later', payload: 2, runAt, uniqueKey: 'once' },
        clock(),
      );
      assert.ok(first);
      assert.equal(second, null);
      assert.equal(await runner.runOnce(), 0);
      clock.advance(3_599_999);
      assert.equal(await runner.runOnce(), 0);
      clock.advance(1);
      assert.equal(await runner.runOnce(), 1);
      assert.equal(runs, 1);
      assert.ok(
        await enqueueJob(database.db, { name: 'test.later', payload: 3, uniqueKey: 'once' }, clock()),
        'key free after success',
      );
    });

    it('marks a job without a handler dead, and refuses a job name handled twice', async () => {
      await reset();
      const clock = manualClock();
      const runner = new JobRunner({ handle: database, clock, handlers: {} });
      await enqueueJob(database.db, { name: 'test.orphan', payload: {} }, clock());
      assert.equal(await runner.runOnce(), 1);
      const [job] = await allJobs(database.db);
      assert.equal(job?.status, 'dead');
      assert.match(job?.last_error ?? '', /no handler registered for job 'test.orphan'/);
      const handler: JobHandler = async () => {};
      assert.throws(() => combineJobHandlers({ 'a.b': handler }, { 'a.b': handler }), /job 'a.b' has two handlers/);
      assert.throws(
        () => new JobRunner({ handle: database, handlers: {}, periodic: [{ name: 'x', intervalMs: 1 }] }),
        /no handler/,
      );
    });

    it('applies completion only while the claim is still held', async () => {
      await reset();
      const clock = manualClock();
      await enqueueJob(database.db, { name: 'test.lease', payload: {} }, clock());
      const [a] = await claimJobs(database.db, database.adapter, {
        workerId: 'A',
        limit: 10,
        now: clock(),
        leaseMs: 1_000,
      });
      assert.ok(a);
      assert.equal(
        (await claimJobs(database.db, database.adapter, { workerId: 'B', limit: 10, now: clock(), leaseMs: 1_000 }))
          .length,
        0,
      );
      clock.advance(1_001);
      const [b] = await claimJobs(database.db, database.adapter, {
        workerId: 'B',
        limit: 10,
        now: clock(),
        leaseMs: 1_000,
      });
      assert.equal(b?.id, a.id);
      assert.equal(b?.attempts, 2);
      assert.equal(
        await completeJobs(database.db, 'A', [{ id: a.id, attempts: a.attempts }]),
        0,
        'expired claim cannot complete',
      );
      assert.equal(
        await completeJobs(database.db, 'B', [{ id: a.id, attempts: 1 }]),
        0,
        'an older claim by the same worker cannot either',
      );
      assert.equal(await completeJobs(database.db, 'B', [{ id: a.id, attempts: 2 }]), 1);
    });

    it('enqueues a periodic job once per interval with two runners', async () => {
      await reset();
      const clock = manualClock();
      const slots: string[] = [];
      const handlers = {
        'test.tick': async (job: ClaimedJob) => void slots.push((job.payload as { scheduledFor: string }).scheduledFor),
      };
      // PostgreSQL: a second pool, as a second worker process has. SQLite: a process has one handle;
      // a second in-process handle would busy-wait synchronously on the first one's open
      // transaction, blocking the event loop that would commit it. Sharing the handle still lets
      // both runners read the same slot before either advances it.
      const other = database.env.DATABASE_URL
        ? openDatabase({
            databaseUrl: database.env.DATABASE_URL,
            dataDir: database.env.SECUREBASE_DATA_DIR,
            schema: database.env.SECUREBASE_DB_SCHEMA,
          })
        : { ...database, close: async () => {} };
      try {
        const periodic = [{ name: 'test.tick', intervalMs: 60_000 }];
        const one = new JobRunner({ handle: database, clock, handlers, periodic });
        const two = new JobRunner({ handle: other, clock, handlers, periodic });
        const start = clock().toISOString();
        for (let minute = 0; minute < 5; minute += 1) {
          await Promise.all([one.runOnce(), two.runOnce(), one.runOnce(), two.runOnce()]);
          clock.advance(30_000);
          await Promise.all([one.runOnce(), two.runOnce()]);
          clock.advance(30_000);
        }
        assert.equal(slots.length, 5);
        assert.equal(new Set(slots).size, 5);
        assert.equal(slots.sort()[0], start);
        clock.advance(10 * 60_000); // a long outage: missed slots are skipped, not replayed
        await Promise.all([one.drain(), two.drain()]);
        assert.equal(slots.length, 6);
      } finally {
        await other.close();
      }
    });

    it('wakes on enqueue (LISTEN/NOTIFY on PostgreSQL, wake() in process) and stops gracefully', async () => {
      await reset();
      let release: () => void = () => {};
      const ran: string[] = [];
      const handlers: Record<string, JobHandler> = {
        'test.wake': async (job) => void ran.push(job.id),
        'test.slow': () => new Promise<void>((resolve) => (release = resolve)).then(() => void ran.push('slow')),
      };
      const listen = database.env.DATABASE_URL
        ? { connectionString: database.env.DATABASE_URL, schema: database.env.SECUREBASE_DB_SCHEMA }
        : undefined;
      // The next poll is ten minutes away: whatever runs before that was woken.
      const runner = new JobRunner({ handle: database, handlers, pollIntervalMs: 600_000, listen });
      await runner.start();
      try {
        if (listen) await waitFor(() => runner.listening, 60_000, 'the LISTEN connection');
        await database.db
          .transaction()
          .execute((trx) => enqueueJob(trx, { name: 'test.wake', payload: {} }, new Date()));
        if (!listen) runner.wake();
        await waitFor(() => ran.length === 1, 60_000, 'the woken job');
        await enqueueJob(database.db, { name: 'test.slow', payload: {} }, new Date());
        runner.wake();
        await waitFor(
          async () => (await allJobs(database.db))[0]?.status === 'running',
          60_000,
          'the slow job to start',
        );
        let stopped = false;
        const stopping = runner.stop().then(() => (stopped = true));
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(stopped, false, 'stop waits for the running job');
        assert.deepEqual(ran.slice(1), []);
        release();
        await stopping;
        assert.deepEqual(ran.slice(1), ['slow']);
        assert.deepEqual(await allJobs(database.db), []);
      } finally {
        release();
        await runner.stop();
      }
    });

    it('releases jobs unfinished after the stop grace time: pending, due now, the attempt not counted', async () => {
      await reset();
      let aborted: unknown = null;
      let finish: () => void = () => {};
      const handlers: Record<string, JobHandler> = {
        // Ignores its signal until the test lets it go, like a handler waiting on a slow remote.
        'test.stuck': (_job, ctx) =>
          new Promise<void>((resolve) => {
            finish = resolve;
            ctx.signal.addEventListener('abort', () => (aborted = ctx.signal.reason));
          }),
      };
      const runner = new JobRunner({ handle: database, handlers, pollIntervalMs: 600_000, stopGraceMs: 1 });
      await enqueueJob(database.db, { name: 'test.stuck', payload: {}, maxAttempts: 1 }, new Date());
      await runner.start();
      try {
        await waitFor(async () => (await allJobs(database.db))[0]?.status === 'running', 60_000, 'the job to start');
        const [job] = await allJobs(database.db);
        assert.deepEqual(await runner.stop(), [job?.id]);
        assert.ok(aborted instanceof LeaseLost, 'the handler is told to give up');
        const [released] = await allJobs(database.db);
        assert.equal(released?.status, 'pending');
        assert.equal(released?.attempts, 0, 'the cut-short run does not count: max_attempts 1 still allows a run');
        assert.equal(released?.locked_by, null);
        assert.ok(new Date(released?.run_at ?? '') <= new Date(), 'due at once');
        finish();
        // The late handler's result is discarded: the job waits for the next worker.
        const next = new JobRunner({ handle: database, handlers: { 'test.stuck': async () => {} } });
        assert.equal(await next.drain(), 1);
        assert.deepEqual(await allJobs(database.db), []);
      } finally {
        finish();
        await runner.stop();
      }
    });

    it('claims only what it can start now, holds a short lease and renews all leases in one statement', async () => {
      await reset();
      const clock = manualClock();
      const held: Array<{ id: string; signal: AbortSignal; release: () => void }> = [];
      const handlers: Record<string, JobHandler> = {
        'test.hold': (job, ctx) =>
          held.length >= 3
            ? Promise.resolve()
            : new Promise<void>((resolve) => void held.push({ id: job.id, signal: ctx.signal, release: resolve })),
      };
      await enqueueJobs(
        database.db,
        Array.from({ length: 10 }, (_, n) => ({ name: 'test.hold', payload: { n } })),
        clock(),
      );
      const runner = new JobRunner({
        handle: database,
        clock,
        handlers,
        concurrency: 3,
        leaseCheckMs: 10,
        pollIntervalMs: 10,
      });
      await runner.start();
      try {
        await waitFor(() => held.length === 3, 60_000, 'three jobs to start');
        const running = () => database.db.selectFrom('jobs').selectAll().where('status', '=', 'running').execute();
        const claimed = await running();
        assert.deepEqual(
          claimed.map((job) => job.id).sort(),
          held.map((job) => job.id).sort(),
          'nothing claimed beyond the free slots',
        );
        const leaseEnd = (from: Date) => new Date(from.getTime() + DEFAULT_LEASE_MS).toISOString();
        assert.equal(DEFAULT_LEASE_MS, 15_000);
        assert.ok(claimed.every((job) => job.locked_until === leaseEnd(clock())));

        clock.advance(DEFAULT_LEASE_MS / 3);
        await waitFor(
          async () => (await running()).every((job) => job.locked_until === leaseEnd(clock())),
          60_000,
          'the renewal',
        );
        assert.ok(held.every((job) => !job.signal.aborted));

        // Another worker takes one job over (as after an expiry): the next renewal misses it and aborts it.
        const [stolen, ...kept] = held as [(typeof held)[number], ...typeof held];
        await database.db.updateTable('jobs').set({ locked_by: 'thief' }).where('id', '=', stolen.id).execute();
        clock.advance(DEFAULT_LEASE_MS / 3);
        await waitFor(() => stolen.signal.aborted, 60_000, 'the lost lease to abort its job');
        assert.ok(stolen.signal.reason instanceof LeaseLost);
        assert.ok(kept.every((job) => !job.signal.aborted));

        for (const job of held) job.release();
        await waitFor(async () => (await allJobs(database.db)).length === 1, 60_000, 'the other jobs to finish');
        assert.equal((await allJobs(database.db))[0]?.locked_by, 'thief', "the stolen job's result is discarded");
      } finally {
        for (const job of held) job.release();
        await runner.stop();
      }
    });

    it('backs off while the database is away, logs once, aborts a lease it cannot renew, and resumes by itself', async () => {
      await reset();
      const clock = manualClock();
      // Fault injection: while `down`, every statement of the runner fails as a stopped server makes it fail.
      let down = false;
      let refused = 0;
      const outage: KyselyPlugin = {
        transformQuery: (args) => {
          if (!down) return args.node;
          refused += 1;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        },
        transformResult: async (args) => args.result,
      };
      const lines: string[] = [];
      const logger = {
        info: (_: object, msg: string) => void lines.push(msg),
        warn: (_: object, msg: string) => void lines.push(msg),
        error: (_: object, msg: string) => void lines.push(msg),
      };
      const held: Array<{ signal: AbortSignal; release: () => void }> = [];
      const ran: number[] = [];
      const handlers: Record<string, JobHandler> = {
        'test.hold': (job, ctx) =>
          job.attempts > 1
            ? Promise.resolve()
            : new Promise<void>((resolve) => void held.push({ signal: ctx.signal, release: resolve })),
        'test.ok': async (job) => void ran.push(job.attempts),
      };
      const handle = { ...database, db: database.db.withPlugin(outage) };
      const runner = new JobRunner({
        handle,
        clock,
        handlers,
        logger,
        pollIntervalMs: 10,
        maxRetryDelayMs: 50,
        leaseCheckMs: 10,
      });
      await enqueueJob(database.db, { name: 'test.hold', payload: {} }, clock());
      await runner.start();
      try {
        await waitFor(() => held.length === 1, 60_000, 'the held job to start');
        const [job] = held as [(typeof held)[number]];
        down = true;
        clock.advance(DEFAULT_LEASE_MS / 3);
        await waitFor(() => lines.includes('renewing job leases failed; retrying'), 60_000, 'a failed renewal');
        const before = refused;
        await waitFor(() => refused >= before + 20, 60_000, 'more attempts during the outage');
        assert.deepEqual(
          lines.slice().sort(),
          ['renewing job leases failed; retrying', 'the database is unavailable; retrying with backoff'],
          'one line per outage',
        );
        assert.equal(job.signal.aborted, false, 'the lease has not run out');
        down = false;
        // Nothing is claimable now (the held job's lease is still valid): an idle runner resumes too.
        await waitFor(
          () => lines.includes('claiming jobs works again; job runner resumed'),
          60_000,
          'the runner to resume',
        );

        down = true;
        clock.advance(DEFAULT_LEASE_MS);
        await waitFor(() => job.signal.aborted, 60_000, 'the unrenewable lease to abort its job');
        assert.ok(job.signal.reason instanceof LeaseLost);
        down = false;
        await enqueueJob(database.db, { name: 'test.ok', payload: {} }, clock());
        await waitFor(() => ran.length === 1, 60_000, 'a job enqueued after the outage');
        job.release();
        await waitFor(
          async () => (await allJobs(database.db)).length === 0,
          60_000,
          'the held job to run again and finish',
        );
      } finally {
        for (const job of held) job.release();
        await runner.stop();
      }
    });
  });
}
