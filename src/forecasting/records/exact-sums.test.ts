import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestDatabase } from '../../testing/database.ts';
import { createTestDatabase, TEST_DIALECTS } from '../../testing/database.ts';
import { formatMicros, parseDecimal, toMicros } from '../money.ts';
import { dailyCostsByService, writeDailyCosts } from './store.ts';
import type { DailyCost } from './store.ts';

/**
 * A quarter of a million one-millionths: a float sum already drifts, the stored micro-units must
 * add up exactly (a million rows take half a minute per dialect here — the same property, slower).
 */
const ROWS = 250_000;
const ACCOUNTS = 1_000;
/** Rows per transaction, as an import writes them in batches. */
const BATCH = 50_000;

for (const dialect of TEST_DIALECTS) {
  describe(`exact sums of cost records (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => database.destroy());

    it(`adds ${ROWS.toLocaleString('en')} amounts of 0.000001 to exactly 0.25 in SQL`, async () => {
      const micros = toMicros(parseDecimal('0.000001') as NonNullable<ReturnType<typeof parseDecimal>>);
      assert.equal(micros, 1);
      let floatSum = 0;
      for (let start = 0; start < ROWS; start += BATCH) {
        const rows: DailyCost[] = [];
        for (let i = start; i < start + BATCH; i += 1) {
          floatSum += 0.000001;
          rows.push({
            date: '2026-10-01',
            service: 'Amazon S3',
            accountId: `acct-${i % ACCOUNTS}`,
            region: `region-${Math.floor(i / ACCOUNTS)}`,
            tags: {},
            amountMicros: micros,
          });
        }
        await database.db
          .transaction()
          .execute((trx) =>
            writeDailyCosts(trx, { customerId: 'cus_exact', currency: 'USD', rows, source: 'api', now: new Date() }),
          );
      }
      assert.notEqual(floatSum, 0.25, 'binary floats drift over so many additions');
      const [day] = await dailyCostsByService(database.db, 'cus_exact');
      assert.deepEqual(day, { date: '2026-10-01', service: 'Amazon S3', amountMicros: ROWS });
      assert.equal(formatMicros(day?.amountMicros ?? 0), '0.250000');
    });
  });
}
