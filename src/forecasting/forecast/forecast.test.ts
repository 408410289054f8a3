import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../config/clock.ts';
import { newAnomalyId } from '../ids.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createStaffUser, createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import type { Problem } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { writeDailyCosts } from '../records/store.ts';
import type { DailyCost } from '../records/store.ts';
import type { ForecastResponse } from './service.ts';
import { sampleDailyCosts } from './sample-costs.ts';

const NOW = new Date('2026-11-28T10:00:00.000Z');

for (const dialect of TEST_DIALECTS) {
  describe(`cost forecast API (${dialect})`, () => {
    let server: TestServer;
    const clock = manualClock(NOW);
    let tenant: { customerId: string; apiKey: string };
    let rows: DailyCost[];

    const seed = (customerId: string, data: DailyCost[]) =>
      server.database.db
        .transaction()
        .execute((trx) =>
          writeDailyCosts(trx, { customerId, currency: 'EUR', rows: data, source: 'demo', now: clock() }),
        );
    const get = <T = ForecastResponse>(token: string, query: string) =>
      request<T & Problem>(server.baseUrl, 'GET', `/v1/cost/forecast${query}`, { token });

    before(async () => {
      server = await startTestServer(dialect, { clock });
      tenant = await createTenant(server, { name: 'Forecast Tenant GmbH' });
      rows = sampleDailyCosts({ from: '2024-06-01', to: '2026-11-27', services: 5 });
      await seed(tenant.customerId, rows);
    });
    after(async () => server.close());

    it('answers the seed’s shape with months from the current one, nowcast first and consistent bounds', async () => {
      const response = await get(tenant.apiKey, '?months=6');
      assert.equal(response.status, 200, response.text);
      const body = response.body;
      assert.deepEqual(
        body.forecast.map((p) => p.month),
        ['2026-11', '2026-12', '2027-01', '2027-02', '2027-03', '2027-04'],
      );
      for (const p of body.forecast) {
        assert.ok(
          p.lower_bound >= 0 && p.lower_bound <= p.forecast_value && p.forecast_value <= p.upper_bound,
          p.month,
        );
      }
      assert.equal(body.currency, 'EUR');
      assert.equal(body.interval_level, 80);
      assert.equal(body.as_of, '2026-11-27');
      assert.equal(body.historical_months, 29);
      assert.ok(['increasing', 'decreasing', 'stable'].includes(body.trend));
      assert.ok(body.accuracy_score !== null && body.accuracy_score >= 0 && body.accuracy_score <= 1);
      assert.ok(body.backtest && body.backtest.coverage >= 0 && body.backtest.coverage <= 1);
      assert.ok(body.model.length > 0);

      // The current month is the nowcast, never a month of the model.
      const nowcast = body.nowcast;
      assert.ok(nowcast);
      assert.equal(nowcast.month, '2026-11');
      assert.equal(nowcast.days_elapsed, 27);
      assert.ok(nowcast.forecast_value >= nowcast.actual_to_date);
      assert.equal(body.forecast[0]?.forecast_value, nowcast.forecast_value);
      assert.ok((body.forecast[0]?.lower_bound ?? 0) >= nowcast.actual_to_date);

      // History: exact monthly sums, the current month partial.
      const october = rows.filter((r) => r.date.startsWith('2026-10')).reduce((a, r) => a + r.amountMicros, 0);
      assert.deepEqual(
        body.history.find((h) => h.month === '2026-10'),
        {
          month: '2026-10',
          actual: october / 1_000_000,
          partial: false,
        },
      );
      assert.deepEqual(body.history.at(-1)?.month, '2026-11');
      assert.equal(body.history.at(-1)?.partial, true);
      const lastFull = october / 1_000_000;
      const first = body.forecast[0];
      assert.ok(first);
      assert.equal(
        first.month_over_month_change,
        Math.round(((first.forecast_value - lastFull) / lastFull) * 10_000) / 100,
      );

      const shares = body.service_breakdown.reduce((a, s) => a + s.percentage, 0);
      assert.ok(Math.abs(shares - 100) < 0.05, String(shares));
      assert.equal(body.service_breakdown.length, 5);
      const projected = body.service_breakdown.reduce((a, s) => a + s.projected_cost, 0);
      const totalProjected = body.forecast.reduce((a, p) => a + p.forecast_value, 0);
      assert.ok(Math.abs(projected - totalProjected) < 0.01 * 5 * 6 + 0.01);
    });

    it('widens the intervals with the level (confidence_level and level)', async () => {
      const low = await get(tenant.apiKey, '?months=12&confidence_level=low');
      const high = await get(tenant.apiKey, '?months=12&confidence_level=high');
      const ninety = await get(tenant.apiKey, '?months=12&level=90');
      assert.equal(low.body.interval_level, 65);
      assert.equal(high.body.interval_level, 95);
      assert.equal(ninety.body.interval_level, 90);
      high.body.forecast.forEach((p, i) => {
        const l = low.body.forecast[i];
        const n = ninety.body.forecast[i];
        assert.ok(l && n);
        assert.equal(l.forecast_value, p.forecast_value);
        assert.ok(p.upper_bound - p.lower_bound >= n.upper_bound - n.lower_bound - 0.02, p.month);
        assert.ok(n.upper_bound - n.lower_bound >= l.upper_bound - l.lower_bound - 0.02, p.month);
      });
    });

    it('forecasts each service with by=service, adding up to the total', async () => {
      const response = await get(tenant.apiKey, '?months=24&by=service&confidence_level=high');
      assert.equal(response.status, 200, response.text);
      const services = response.body.services ?? [];
      assert.equal(services.length, 5);
      response.body.forecast.forEach((total, h) => {
        const sum = services.reduce((a, s) => a + (s.forecast[h]?.forecast_value ?? NaN), 0);
        assert.ok(
          Math.abs(sum - total.forecast_value) <= 0.005 * 5 + 1e-9,
          `${total.month}: ${sum} vs ${total.forecast_value}`,
        );
        for (const s of services) {
          const p = s.forecast[h];
          assert.ok(p && p.lower_bound >= 0 && p.lower_bound <= p.forecast_value && p.forecast_value <= p.upper_bound);
        }
      });
      const without = await get(tenant.apiKey, '?months=24&confidence_level=high');
      assert.equal(without.body.services, undefined);
    });

    it('serves a cached result for the same parameters and data, and recomputes after a write', async () => {
      const first = await get(tenant.apiKey, '?months=3&level=70');
      clock.advance(60_000);
      const second = await get(tenant.apiKey, '?months=3&level=70');
      assert.equal(second.body.generated_at, first.body.generated_at);
      assert.deepEqual(second.body, first.body);
      const other = await get(tenant.apiKey, '?months=4&level=70');
      assert.notEqual(other.body.generated_at, first.body.generated_at);

      const written = await request(server.baseUrl, 'POST', '/v1/cost/records', {
        token: tenant.apiKey,
        body: { records: [{ date: '2026-11-27', service: 'Service 01', amount: '999.5', currency: 'EUR' }] },
      });
      assert.equal(written.status, 200, written.text);
      clock.advance(60_000);
      const third = await get(tenant.apiKey, '?months=3&level=70');
      assert.equal(third.body.generated_at, clock().toISOString());
      assert.notEqual(third.body.nowcast?.actual_to_date, first.body.nowcast?.actual_to_date);
      const fourth = await get(tenant.apiKey, '?months=3&level=70');
      assert.equal(fourth.body.generated_at, third.body.generated_at);
    });

    it('shows the tenant’s recent anomalies, the total as "total"', async () => {
      const other = await createTenant(server);
      const anomaly = (customerId: string, service: string) => ({
        id: newAnomalyId(clock()),
        customer_id: customerId,
        date: '2026-11-20',
        service,
        actual_micros: 900_000_000,
        expected_micros: 400_000_000,
        impact_micros: 500_000_000,
        score: 6.5,
        direction: 'spike' as const,
        rule: 'residual_mad',
        reason: 'far above the expected level',
        detected_at: clock().toISOString(),
      });
      await server.database.db
        .insertInto('cost_anomalies')
        .values([anomaly(tenant.customerId, '*'), anomaly(other.customerId, 'Service 02')])
        .execute();
      const response = await get(tenant.apiKey, '?months=2');
      assert.deepEqual(
        response.body.anomalies.map(({ id: _id, ...view }) => view),
        [
          {
            date: '2026-11-20',
            service: '*',
            actual: 900,
            expected: 400,
            impact: 500,
            score: 6.5,
            direction: 'spike',
            rule: 'residual_mad',
            reason: 'far above the expected level',
            detected_at: clock().toISOString(),
          },
        ],
      );
    });

    it('refuses a short history or none with a 422 naming what is missing, per tenant', async () => {
      const short = await createTenant(server);
      await seed(short.customerId, sampleDailyCosts({ from: '2026-08-15', to: '2026-11-27', services: 2 }));
      const refused = await get(short.apiKey, '');
      assert.equal(refused.status, 422, refused.text);
      assert.match(refused.body.detail, /needs 3 full months of cost history; has 2 \(2026-09, 2026-10\)/);

      const empty = await createTenant(server);
      const none = await get(empty.apiKey, '');
      assert.equal(none.status, 422, none.text);
      assert.match(none.body.detail, /No cost data/);
      const exported = await request(server.baseUrl, 'GET', '/v1/cost/forecast/export?format=pdf', {
        token: empty.apiKey,
      });
      assert.equal(exported.status, 422);
    });

    it('refuses bad parameters with a 400 naming the field', async () => {
      const cases: Array<[string, string]> = [
        ['?months=0', 'months'],
        ['?months=25', 'months'],
        ['?months=two', 'months'],
        ['?confidence_level=extreme', 'confidence_level'],
        ['?level=49', 'level'],
        ['?level=100', 'level'],
        ['?level=90&confidence_level=high', 'level'],
        ['?by=region', 'by'],
        ['?color=blue', 'color'],
      ];
      for (const [query, field] of cases) {
        const response = await get(tenant.apiKey, query);
        assert.equal(response.status, 400, query);
        assert.equal(response.body.errors?.[0]?.field, field, query);
      }
    });

    it('keeps cost routes away from staff', async () => {
      const staff = await createStaffUser(server, 'platform_admin');
      const response = await get(staff.token, '');
      assert.equal(response.status, 403);
    });
  });
}
