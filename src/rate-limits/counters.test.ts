import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { databaseWindowCounters, memoryWindowCounters } from './counters.ts';
import type { WindowCounters } from './counters.ts';
import { createLeasedQuota } from './quota.ts';

const HOUR = 3600_000;
const T0 = Date.parse('2026-01-05T10:00:00.000Z');

/** The same behaviour from every store: memory, and the table on each dialect. */
function counterSuite(name: string, open: () => Promise<{ counters: WindowCounters; close(): Promise<void> }>) {
  describe(`rate-limit counters in ${name}`, () => {
    let counters: WindowCounters;
    let close: () => Promise<void>;
    before(async () => ({ counters, close } = await open()));
    after(async () => close());

    it('adds hits to the open window and starts a new one after it ends', async () => {
      assert.deepEqual(await counters.add('a', 3, HOUR, T0), { count: 3, endsMs: T0 + HOUR });
      assert.deepEqual(await counters.add('a', 2, HOUR, T0 + 10), { count: 5, endsMs: T0 + HOUR });
      assert.deepEqual(await counters.read('a'), { count: 5, endsMs: T0 + HOUR });
      assert.deepEqual(await counters.add('a', 1, HOUR, T0 + HOUR), { count: 1, endsMs: T0 + 2 * HOUR });
      assert.equal(await counters.read('never-hit'), null);
    });

    it('loses no hit to concurrent adds', async () => {
      await Promise.all(Array.from({ length: 40 }, () => counters.add('busy', 1, HOUR, T0)));
      assert.equal((await counters.read('busy'))?.count, 40);
    });

    it('forgets a key, and deletes only ended windows', async () => {
      await counters.add('forgotten', 1, HOUR, T0);
      await counters.forget('forgotten');
      assert.equal(await counters.read('forgotten'), null);
      await counters.add('ending', 1, 1000, T0);
      await counters.add('lasting', 1, HOUR, T0);
      await counters.deleteEnded(T0 + 1000);
      assert.equal(await counters.read('ending'), null);
      assert.equal((await counters.read('lasting'))?.count, 1);
    });

    it('lets two processes leasing from it allow no more than the limit together', async () => {
      const clock = manualClock(new Date(T0));
      const processes = [createLeasedQuota(counters, clock), createLeasedQuota(counters, clock)];
      let allowed = 0;
      for (let i = 0; i < 300; i += 1) {
        const hit = await (processes[i % 2] as (typeof processes)[number]).hit('shared', 250, HOUR);
        if (hit.allowed) allowed += 1;
      }
      assert.equal(allowed, 250, 'alternating traffic spends every leased hit');
      clock.advance(HOUR);
      assert.equal((await processes[0]?.hit('shared', 250, HOUR))?.allowed, true, 'the next window');
    });
  });
}

counterSuite('memory', async () => ({ counters: memoryWindowCounters(), close: async () => {} }));
for (const dialect of TEST_DIALECTS) {
  let database: TestDatabase;
  counterSuite(`the ${dialect} table`, async () => {
    database = await createTestDatabase(dialect);
    return { counters: databaseWindowCounters(database.db), close: () => database.destroy() };
  });
}
