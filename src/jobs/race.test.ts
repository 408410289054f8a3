import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../database/connection.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import { enqueueJobs } from './enqueue.ts';
import { JobRunner } from './runner.ts';
import { allJobs, waitFor } from './testing/helpers.ts';
import type { JobHandler } from './types.ts';

const JOBS = 4_000;

for (const dialect of TEST_DIALECTS) {
  describe(`two runners racing on ${dialect}`, () => {
    it(`run each of ${JOBS} jobs exactly once`, { timeout: 600_000 }, async () => {
      const database = await createTestDatabase(dialect);
      const other = openDatabase({
        databaseUrl: database.env.DATABASE_URL,
        dataDir: database.env.SECUREBASE_DATA_DIR,
        schema: database.env.SECUREBASE_DB_SCHEMA,
      });
      const runs = new Map<string, number>();
      const byRunner = { one: 0, two: 0 };
      const handler =
        (who: 'one' | 'two'): JobHandler =>
        async (job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          byRunner[who] += 1;
          await new Promise((resolve) => setImmediate(resolve));
        };
      const one = new JobRunner({
        handle: database,
        workerId: 'one',
        pollIntervalMs: 10,
        handlers: { 'test.race': handler('one') },
      });
      const two = new JobRunner({
        handle: other,
        workerId: 'two',
        pollIntervalMs: 10,
        handlers: { 'test.race': handler('two') },
      });
      try {
        await Promise.all([one.start(), two.start()]);
        const now = new Date();
        const ids = await enqueueJobs(
          database.db,
          Array.from({ length: JOBS }, (_, n) => ({ name: 'test.race', payload: { n } })),
          now,
        );
        one.wake();
        two.wake();
        const started = Date.now();
        await waitFor(() => runs.size === JOBS, 480_000, 'all jobs to run');
        await Promise.all([one.stop(), two.stop()]);
        const seconds = (Date.now() - started) / 1000;
        assert.deepEqual(
          [...runs.values()].filter((count) => count !== 1),
          [],
          'no job ran twice',
        );
        assert.deepEqual(new Set(runs.keys()), new Set(ids));
        assert.deepEqual(await allJobs(database.db), []);
        console.log(
          `# ${dialect}: ${JOBS} jobs in ${seconds.toFixed(2)} s (${Math.round(JOBS / seconds)}/s), split ${byRunner.one}/${byRunner.two}`,
        );
      } finally {
        await Promise.all([one.stop(), two.stop()]);
        await other.close();
        await database.destroy();
      }
    });
  });
}
