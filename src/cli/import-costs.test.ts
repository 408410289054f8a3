import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../config/clock.ts';
import { createIdentityService } from '../identity/service.ts';
import { runCli } from '../testing/cli.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { gzip, MESSY_CUR2_COSTS, messyCur2 } from '../forecasting/imports/testing/exports.ts';
import { createMemoryLiveFeed } from '../realtime/live-feed.ts';

const run = (args: string[], env: Record<string, string | undefined>) => runCli(args, env, 120_000);

for (const dialect of TEST_DIALECTS) {
  describe(`securebase import-costs on ${dialect}`, () => {
    let database: TestDatabase;
    let dir: string;
    let customerId: string;
    before(async () => {
      database = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'securebase-import-cli-'));
      const identity = createIdentityService({
        db: database.db,
        clock: systemClock,
        sessionTtlHours: 24,
        liveFeed: createMemoryLiveFeed(),
      });
      const created = await identity.createTenant({ name: 'Acme', tier: 'standard', adminEmail: 'ops@acme.example' });
      customerId = created.customer.id;
    });
    after(async () => {
      await database.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('imports a gzipped CUR 2.0 file with progress lines and a summary naming the rejected rows', async () => {
      const file = join(dir, 'cur-2026-10.csv.gz');
      writeFileSync(file, gzip(messyCur2()));
      const result = await run(['import-costs', file, '--customer', customerId], database.env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^read [\d.]+ of [\d.]+ MB \(100 %\), 20 rows, [\d.]+ MB\/s$/m);
      assert.match(
        result.stdout,
        new RegExp(`^Imported cur-2026-10.csv.gz into tenant ${customerId}: cur2, unblended cost, USD$`, 'm'),
      );
      assert.match(result.stdout, /rows: 20 read, 14 imported \(1 with an empty cost, counted as 0\), 6 rejected/);
      assert.match(result.stdout, /written: 8 records over 2 days, 2026-10-01 to 2026-10-02/);
      assert.match(result.stdout, /total: 15\.6400000181 USD/);
      assert.match(
        result.stdout,
        /by charge kind: usage 7\.5900000181, savings_plan_negation -3, discount -0\.1, commitment 12, tax 0\.4, credit -1, refund -0\.25$/m,
      );
      assert.match(result.stdout, /line 16: line_item_unblended_cost is not a number: "12,5"/);
      assert.match(result.stdout, /line 21: line_item_unblended_cost is not a number: "n\/a"/);
      const rows = await database.db
        .selectFrom('cost_records')
        .select(['date', 'service', 'account_id', 'region', 'amount_micros'])
        .where('customer_id', '=', customerId)
        .execute();
      assert.deepEqual(
        Object.fromEntries(
          rows.map((r) => [`${r.date}|${r.service}|${r.account_id}|${r.region}`, Number(r.amount_micros)]),
        ),
        MESSY_CUR2_COSTS,
      );
    });

    it('exits non-zero on a file it refuses, an unknown tenant or basis, naming the problem', async () => {
      const unknown = join(dir, 'unknown.csv');
      writeFileSync(unknown, 'date,amount\n2026-10-01,1\n');
      const refused = await run(['import-costs', unknown, '--customer', customerId], database.env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /import refused: The file's header matches no known billing export/);
      assert.match(refused.stderr, /file: AWS CUR 2\.0 lacks line_item_usage_start_date/);

      const nobody = await run(['import-costs', unknown, '--customer', 'cus_nobody'], database.env);
      assert.equal(nobody.code, 1);
      assert.match(nobody.stderr, /no tenant cus_nobody/);

      const basis = await run(['import-costs', unknown, '--customer', customerId, '--basis', 'net'], database.env);
      assert.notEqual(basis.code, 0);
      assert.match(basis.stderr, /must be billed or effective/);
    });
  });
}
