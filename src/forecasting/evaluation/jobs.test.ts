import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../config/clock.ts';
import { PermanentFailure } from '../../jobs/index.ts';
import type { ClaimedJob, JobContext } from '../../jobs/index.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { DATA_CHANGED_JOB } from '../records/store.ts';
import { daysBetween, writeCosts } from '../testing/costs.ts';
import { costEvaluationJobs, DAILY_CHECK_JOB } from './jobs.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`forecasting.data_changed on ${dialect}`, () => {
    let server: TestServer;
    const clock = manualClock(new Date('2026-03-06T09:00:00.000Z'));
    before(async () => {
      server = await startTestServer(dialect, { clock });
    });
    after(async () => {
      await server.close();
    });

    /** Runs a handler directly, as the runner would. */
    const run = (payload: unknown, name = DATA_CHANGED_JOB) => {
      const job: ClaimedJob = { id: 'job-1', name, payload, attempts: 1, maxAttempts: 5 };
      const ctx = {
        db: server.ctx.database.db,
        signal: new AbortController().signal,
        workerId: 'test',
        now: clock,
      } as unknown as JobContext;
      const handler = costEvaluationJobs[name];
      assert.ok(handler);
      return handler(job, ctx);
    };
    const alertsOf = (customerId: string) =>
      server.ctx.database.db.selectFrom('budget_alerts').selectAll().where('customer_id', '=', customerId).execute();

    it('does nothing for a data version the tenant has moved past; evaluates at the current one', async () => {
      const t = await createTenant(server);
      const budget = await request(server.baseUrl, 'POST', '/v1/cost/budgets', {
        token: t.apiKey,
        body: { name: 'B', monthly_limit: 100, basis: 'actual' },
      });
      assert.equal(budget.status, 201);
      const first = await writeCosts(
        server,
        t.customerId,
        daysBetween('2026-03-01', '2026-03-05').map((date) => ({ date, service: 'EC2', amount: '20' })),
      );
      const second = await writeCosts(server, t.customerId, [{ date: '2026-03-05', service: 'EC2', amount: '20' }]);
      assert.equal(second.dataVersion, first.dataVersion + 1);
      await run({ customerId: t.customerId, dataVersion: first.dataVersion });
      assert.deepEqual(await alertsOf(t.customerId), [], 'a newer job exists: the older one does nothing');
      await run({ customerId: t.customerId, dataVersion: second.dataVersion });
      assert.deepEqual(
        (await alertsOf(t.customerId)).map((a) => [a.month, a.kind, a.threshold, Number(a.amount_micros)]),
        [
          ['2026-03', 'actual', 0.5, 100_000_000],
          ['2026-03', 'actual', 0.8, 100_000_000],
          ['2026-03', 'actual', 1, 100_000_000],
        ],
      );
      await run({ customerId: t.customerId, dataVersion: second.dataVersion });
      assert.equal((await alertsOf(t.customerId)).length, 3, 'running again raises nothing new');
    });

    it('refuses a payload that is not {customerId, dataVersion} for good, and ignores a tenant without data', async () => {
      await assert.rejects(run({ customer: 'x' }), PermanentFailure);
      await run({ customerId: '0193a5f2-0000-7000-8000-00000000dead', dataVersion: 1 });
    });

    it('the daily check evaluates every tenant with budgets, and only once per threshold per month', async () => {
      const tenants = [];
      for (let i = 0; i < 3; i += 1) {
        const t = await createTenant(server);
        const created = await request(server.baseUrl, 'POST', '/v1/cost/budgets', {
          token: t.apiKey,
          body: { name: `Tenant ${i}`, monthly_limit: 100, thresholds: [0.5], basis: 'actual' },
        });
        assert.equal(created.status, 201);
        await writeCosts(server, t.customerId, [{ date: '2026-03-02', service: 'EC2', amount: String(40 + 10 * i) }]);
        tenants.push(t);
      }
      // No data_changed job has run: only the daily check evaluates.
      await run({ scheduledFor: clock().toISOString() }, DAILY_CHECK_JOB);
      await run({ scheduledFor: clock().toISOString() }, DAILY_CHECK_JOB);
      const alerts = await Promise.all(tenants.map((t) => alertsOf(t.customerId)));
      assert.deepEqual(
        alerts.map((rows) => rows.map((a) => a.threshold)),
        [[], [0.5], [0.5]],
      );
      const events = await server.ctx.database.db
        .selectFrom('events')
        .select('customer_id')
        .where('type', '=', 'cost.budget_threshold_reached')
        .where(
          'customer_id',
          'in',
          tenants.map((t) => t.customerId),
        )
        .execute();
      assert.equal(events.length, 2);
    });
  });
}
