import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalSampler, seededRandom } from '../engine/stats.ts';
import type { UserId } from '../../identity/tables.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import type { TestServer } from '../../testing/server.ts';
import { waitFor } from '../../testing/wait.ts';
import { validateEventData } from '../../webhooks/catalog.ts';
import { startReceiver } from '../../webhooks/testing/receiver.ts';
import { deliveries, startCostHarness, tenantWithEndpoint } from '../testing/harness.ts';
import { daysBetween, writeCosts } from '../testing/costs.ts';

async function eventsOf(server: TestServer, customerId: string, type: string) {
  const rows = await server.ctx.database.db
    .selectFrom('events')
    .select(['type', 'data'])
    .where('customer_id', '=', customerId)
    .where('type', '=', type)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => JSON.parse(row.data) as Record<string, unknown>);
}

const notificationsOf = (server: TestServer, userId: string) =>
  server.ctx.database.db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId as UserId)
    .execute();

for (const dialect of TEST_DIALECTS) {
  describe(`cost evaluation end to end on ${dialect}`, () => {
    it(
      'a budget crossing is delivered once per threshold per month, signed, and reaches the owner’s inbox',
      { timeout: 120_000 },
      async () => {
        const h = await startCostHarness(dialect, new Date('2026-03-06T09:00:00.000Z'));
        const receiver = await startReceiver();
        try {
          const t = await tenantWithEndpoint(h.server, receiver, '/budgets');
          const api = (method: string, path: string, body?: unknown) =>
            request<{ id: string; status: { thresholds_crossed: number[]; forecast_exceeded: boolean } }>(
              h.server.baseUrl,
              method,
              `/v1/cost${path}`,
              { token: t.apiKey, ...(body === undefined ? {} : { body }) },
            );
          const actual = await api('POST', '/budgets', {
            name: 'Platform',
            monthly_limit: 200,
            thresholds: [0.25, 0.5, 1],
            basis: 'actual',
          });
          const forecast = await api('POST', '/budgets', { name: 'Outlook', monthly_limit: 300, basis: 'forecast' });
          assert.equal(actual.status, 201, actual.text);

          // February at 10 a day, March 1–5 too: 50 spent (25 % of 200), month-end estimate 310 (> 300).
          await writeCosts(
            h.server,
            t.customerId,
            daysBetween('2026-02-01', '2026-03-05').map((date) => ({ date, service: 'EC2', amount: '10.00' })),
          );
          await h.settle();
          await waitFor(() => deliveries(receiver, '/budgets', t.secret).length >= 3, 30_000, 'the budget events');
          const first = deliveries(receiver, '/budgets', t.secret);
          assert.equal(first.length, 3, JSON.stringify(first.map((d) => d.type)));
          assert.deepEqual(first.map((d) => d.type).sort(), [
            'cost.budget_threshold_reached',
            'cost.forecast_exceeds_budget',
            'usage.threshold_exceeded',
          ]);
          for (const d of first) assert.deepEqual(validateEventData(d.type, d.data), [], d.type);
          const reached = first.find((d) => d.type === 'cost.budget_threshold_reached');
          assert.deepEqual(reached?.data, {
            budget_id: actual.body.id,
            name: 'Platform',
            monthly_limit: 200,
            currency: 'USD',
            month: '2026-03',
            spent: 50,
            percent: 25,
            threshold_percent: 25,
            services: null,
          });
          assert.deepEqual(first.find((d) => d.type === 'usage.threshold_exceeded')?.data, {
            metric: 'cost',
            usage: 50,
            threshold: 50,
            budget_id: actual.body.id,
            currency: 'USD',
            month: '2026-03',
          });
          const over = first.find((d) => d.type === 'cost.forecast_exceeds_budget');
          assert.equal(over?.data.budget_id, forecast.body.id);
          assert.equal(over?.data.forecast, 310);

          await waitFor(
            async () => (await notificationsOf(h.server, t.ownerId)).some((n) => n.type === 'billing'),
            30_000,
            'the owner’s billing notifications',
          );
          const inbox = await notificationsOf(h.server, t.ownerId);
          assert.ok(
            inbox.some(
              (n) => n.title === 'Budget Platform reached 25 % in 2026-03' && n.action_url === '/forecast#budgets',
            ),
            JSON.stringify(inbox.map((n) => n.title)),
          );
          assert.ok(inbox.some((n) => n.title === 'Budget Outlook is forecast to be exceeded in 2026-03'));

          const status = await api('GET', `/budgets/${actual.body.id}`);
          assert.deepEqual(status.body.status.thresholds_crossed, [0.25]);
          assert.equal((await api('GET', `/budgets/${forecast.body.id}`)).body.status.forecast_exceeded, true);

          // The daily check and more data in the same month below the next threshold: nothing new.
          await h.dailyCheck();
          await writeCosts(h.server, t.customerId, [{ date: '2026-03-06', service: 'EC2', amount: '10.00' }]);
          await h.settle();
          await h.dailyCheck();
          assert.equal((await eventsOf(h.server, t.customerId, 'cost.budget_threshold_reached')).length, 1);
          assert.equal((await eventsOf(h.server, t.customerId, 'usage.threshold_exceeded')).length, 1);
          assert.equal((await eventsOf(h.server, t.customerId, 'cost.forecast_exceeds_budget')).length, 1);

          // Crossing 50 % raises that threshold only; re-evaluating does not repeat it.
          await writeCosts(h.server, t.customerId, [{ date: '2026-03-06', service: 'EC2', amount: '50.00' }]);
          await h.settle();
          await h.dailyCheck();
          const reachedEvents = await eventsOf(h.server, t.customerId, 'cost.budget_threshold_reached');
          assert.deepEqual(
            reachedEvents.map((e) => [e.month, e.threshold_percent, e.spent]),
            [
              ['2026-03', 25, 50],
              ['2026-03', 50, 100],
            ],
          );

          // Next month (with March's late days arriving too): the thresholds and the forecast alert are
          // raised afresh for April; March is not judged again.
          h.clock.set(new Date('2026-04-02T06:00:00.000Z'));
          await writeCosts(h.server, t.customerId, [
            ...daysBetween('2026-03-07', '2026-03-31').map((date) => ({ date, service: 'EC2', amount: '10.00' })),
            { date: '2026-04-01', service: 'EC2', amount: '60.00' },
          ]);
          await h.settle();
          await h.dailyCheck();
          const april = (await eventsOf(h.server, t.customerId, 'cost.budget_threshold_reached')).filter(
            (e) => e.month === '2026-04',
          );
          assert.deepEqual(
            april.map((e) => e.threshold_percent),
            [25],
          );
          assert.deepEqual(
            (await eventsOf(h.server, t.customerId, 'cost.forecast_exceeds_budget')).map((e) => e.month),
            ['2026-03', '2026-04'],
          );
          // (The jump to 50 on March 6 is an anomaly too; that event is not this test's subject.)
          const budgetDeliveries = () =>
            deliveries(receiver, '/budgets', t.secret).filter((d) => d.type !== 'cost.anomaly_detected');
          await waitFor(() => budgetDeliveries().length >= 8, 30_000, 'every budget event delivered');
          assert.equal(budgetDeliveries().length, 8, JSON.stringify(budgetDeliveries().map((d) => d.type)));
          const ids = receiver.at('/budgets').map((r) => String(r.headers['webhook-id']));
          assert.equal(new Set(ids).size, ids.length, 'no event delivered twice');
        } finally {
          await h.close();
          await receiver.close();
        }
      },
    );

    it(
      'a spike injected into a generated series is stored, listed and delivered once; re-detection adds nothing',
      { timeout: 120_000 },
      async () => {
        // The data end on May 31 and today is June 3: June 1–2 are not loaded yet, which is no drop.
        const h = await startCostHarness(dialect, new Date('2026-06-03T10:00:00.000Z'));
        const receiver = await startReceiver();
        try {
          const t = await tenantWithEndpoint(h.server, receiver, '/anomalies');
          const other = await createTenant(h.server);
          const normal = normalSampler(seededRandom(42));
          const spikeDay = '2026-05-25';
          // A steady S3 bill and a noisier, larger EC2 one: the S3 spike stands out, the total's does not.
          const costs = daysBetween('2026-01-01', '2026-05-31').flatMap((date) => {
            const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
            const ec2 = 1000 * (weekend ? 0.7 : 1) * (1 + 0.08 * Math.max(-3, Math.min(3, normal())));
            const s3 = 50 * (1 + 0.02 * Math.max(-3, Math.min(3, normal()))) * (date === spikeDay ? 4 : 1);
            return [
              { date, service: 'EC2', amount: ec2.toFixed(2) },
              { date, service: 'S3', amount: s3.toFixed(2) },
            ];
          });
          await writeCosts(h.server, t.customerId, costs);
          await h.settle();
          await waitFor(
            () => deliveries(receiver, '/anomalies', t.secret).some((d) => d.data.date === spikeDay),
            30_000,
            'the anomaly event',
          );
          const rows = await h.server.ctx.database.db
            .selectFrom('cost_anomalies')
            .selectAll()
            .where('customer_id', '=', t.customerId)
            .execute();
          const spike = rows.filter((r) => r.date === spikeDay);
          assert.deepEqual(
            spike.map((r) => [r.service, r.direction]),
            [['S3', 'spike']],
          );
          assert.ok(
            rows.every((r) => r.date <= '2026-05-31'),
            'days without data yet are not judged',
          );
          assert.match(spike[0]?.reason ?? '', /^S3 cost \d+\.\d\d USD vs expected \d+\.\d\d \(\+\d+ %\)/);
          const events = await eventsOf(h.server, t.customerId, 'cost.anomaly_detected');
          assert.deepEqual(events.map((e) => e.anomaly_id).sort(), rows.map((r) => r.id).sort(), 'one event per row');
          const delivered = deliveries(receiver, '/anomalies', t.secret).filter(
            (d) => d.type === 'cost.anomaly_detected',
          );
          const s3 = delivered.filter((d) => d.data.date === spikeDay);
          assert.equal(s3.length, 1);
          assert.deepEqual(validateEventData('cost.anomaly_detected', s3[0]?.data), []);
          assert.equal(s3[0]?.data.service, 'S3');
          assert.equal(s3[0]?.data.currency, 'USD');

          // Detect again: by the daily check, and by new data (a day later).
          await h.dailyCheck();
          h.clock.set(new Date('2026-06-04T10:00:00.000Z'));
          await writeCosts(h.server, t.customerId, [
            { date: '2026-06-01', service: 'EC2', amount: '1000.00' },
            { date: '2026-06-01', service: 'S3', amount: '50.00' },
          ]);
          await h.settle();
          await h.dailyCheck();
          const again = await h.server.ctx.database.db
            .selectFrom('cost_anomalies')
            .select('id')
            .where('customer_id', '=', t.customerId)
            .where('date', '<=', '2026-05-31')
            .execute();
          assert.equal(again.length, rows.length, 'no new rows for days already judged');
          assert.equal(
            (await eventsOf(h.server, t.customerId, 'cost.anomaly_detected')).filter((e) => e.date === spikeDay).length,
            1,
          );

          // The API: listed newest first, filtered, by id; another tenant gets a 404.
          const list = await request<{ anomalies: { id: string; date: string; service: string }[] }>(
            h.server.baseUrl,
            'GET',
            `/v1/cost/anomalies?service=S3&direction=spike&from=${spikeDay}&to=${spikeDay}`,
            { token: t.apiKey },
          );
          assert.equal(list.status, 200, list.text);
          assert.deepEqual(
            list.body.anomalies.map((a) => [a.date, a.service]),
            [[spikeDay, 'S3']],
          );
          const drops = await request<{ anomalies: unknown[] }>(
            h.server.baseUrl,
            'GET',
            `/v1/cost/anomalies?service=S3&direction=drop&from=${spikeDay}&to=${spikeDay}`,
            { token: t.apiKey },
          );
          assert.deepEqual(drops.body.anomalies, []);
          const id = list.body.anomalies[0]?.id ?? '';
          const one = await request<{ actual: number; expected: number; impact: number }>(
            h.server.baseUrl,
            'GET',
            `/v1/cost/anomalies/${id}`,
            { token: t.apiKey },
          );
          assert.equal(one.status, 200);
          assert.ok(Math.abs(one.body.impact - (one.body.actual - one.body.expected)) < 1e-6);
          const foreign = await request(h.server.baseUrl, 'GET', `/v1/cost/anomalies/${id}`, { token: other.apiKey });
          assert.equal(foreign.status, 404);
          const otherList = await request<{ anomalies: unknown[] }>(h.server.baseUrl, 'GET', '/v1/cost/anomalies', {
            token: other.apiKey,
          });
          assert.deepEqual(otherList.body.anomalies, []);
          const bad = await request<{ errors: { field: string }[] }>(
            h.server.baseUrl,
            'GET',
            '/v1/cost/anomalies?direction=sideways',
            { token: t.apiKey },
          );
          assert.equal(bad.status, 400);
          assert.equal(bad.body.errors[0]?.field, 'direction');

          await waitFor(
            async () =>
              (await notificationsOf(h.server, t.ownerId)).some((n) =>
                n.title.startsWith(`Cost spike on ${spikeDay}: S3`),
              ),
            30_000,
            'the anomaly notification',
          );
        } finally {
          await h.close();
          await receiver.close();
        }
      },
    );
  });
}
