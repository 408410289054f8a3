import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobContext } from '../jobs/index.ts';
import { databaseWindowCounters } from '../rate-limits/counters.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { housekeepingJobs } from './housekeeping.ts';

const HOUR = 3600_000;

for (const dialect of TEST_DIALECTS) {
  describe(`housekeeping on ${dialect}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => database.destroy());

    it('deletes rate-limit windows that have ended, and only those', async () => {
      const now = Date.parse('2026-01-05T10:00:00.000Z');
      const counters = databaseWindowCounters(database.db);
      await counters.add('ended', 1, HOUR, now - HOUR);
      await counters.add('open', 1, HOUR, now - 1000);
      const ctx: JobContext = {
        db: database.db,
        signal: new AbortController().signal,
        workerId: 'test',
        now: () => new Date(now),
        completeWithin: async () => {},
      };
      await housekeepingJobs['housekeeping.sweep']?.(
        { id: 'job', name: 'housekeeping.sweep', payload: {}, attempts: 1, maxAttempts: 1 },
        ctx,
      );
      assert.equal(await counters.read('ended'), null);
      assert.equal((await counters.read('open'))?.count, 1);
    });
  });
}
