import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { createTestDatabase, TEST_DIALECTS } from '../../testing/database.ts';
import type { TestDatabase } from '../../testing/database.ts';
import { forecastRepository, sweepCachedForecasts } from './repository.ts';

const DAY = 86_400_000;
const start = new Date('2026-01-01T00:00:00.000Z');
const at = (days: number) => new Date(start.getTime() + days * DAY).toISOString();

describe('RETENTION_COST_FORECASTS_DAYS', () => {
  it('defaults to 90 and refuses a bad value naming the variable', () => {
    assert.equal(loadConfig({}).retentionDays.costForecasts, 90);
    assert.equal(loadConfig({ RETENTION_COST_FORECASTS_DAYS: '30' }).retentionDays.costForecasts, 30);
    assert.throws(() => loadConfig({ RETENTION_COST_FORECASTS_DAYS: '0' }), /RETENTION_COST_FORECASTS_DAYS/);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`cached forecasts (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => database.destroy());

    it('keeps the newest data version per key and sweeps entries past the retention', async () => {
      const repository = forecastRepository(database.db);
      const entry = (paramsKey: string, dataVersion: number, day: number) => ({
        customerId: 'cus_1',
        periodMonth: '2026-01',
        paramsKey,
        dataVersion,
        result: `v${dataVersion}`,
        createdAt: at(day),
      });
      await repository.store(entry('months=6;level=80;by=total', 2, 0));
      await repository.store(entry('months=6;level=80;by=total', 1, 1));
      assert.deepEqual(await repository.cached('cus_1', '2026-01', 'months=6;level=80;by=total'), {
        dataVersion: 2,
        result: 'v2',
      });
      await repository.store(entry('months=6;level=80;by=total', 3, 1));
      await repository.store(entry('months=3;level=95;by=total', 3, 50));
      assert.equal(await repository.cached('cus_2', '2026-01', 'months=6;level=80;by=total'), null);

      assert.equal(await sweepCachedForecasts(database.db, at(1)), 0, 'nothing older than the cut-off yet');
      assert.equal(await sweepCachedForecasts(database.db, at(2)), 1);
      assert.equal(await repository.cached('cus_1', '2026-01', 'months=6;level=80;by=total'), null);
      assert.ok(await repository.cached('cus_1', '2026-01', 'months=3;level=95;by=total'));
    });
  });
}
