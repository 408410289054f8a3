import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../config/clock.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createCustomerUser, createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import type { Problem } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { daysBetween, writeCosts } from '../testing/costs.ts';

interface Budget {
  id: string;
  name: string;
  monthly_limit: number;
  currency: string | null;
  thresholds: number[];
  basis: string;
  services: string[] | null;
  status: {
    month: string;
    as_of: string;
    spent: number;
    forecast: number;
    percent_used: number;
    forecast_percent: number;
    thresholds_crossed: number[];
    forecast_exceeded: boolean;
    alerts: unknown[];
  };
}

const withoutRequestId = (body: unknown) => {
  const { request_id: _id, ...rest } = body as Record<string, unknown>;
  return rest;
};

for (const dialect of TEST_DIALECTS) {
  describe(`budgets API on ${dialect}`, () => {
    let server: TestServer;
    const clock = manualClock(new Date('2026-03-12T08:00:00.000Z'));
    before(async () => {
      server = await startTestServer(dialect, { clock });
    });
    after(async () => {
      await server.close();
    });
    const call = <T = Budget>(method: string, path: string, token: string, body?: unknown) =>
      request<T>(server.baseUrl, method, `/v1/cost${path}`, { token, ...(body === undefined ? {} : { body }) });

    it('creates a budget with the defaults, then shows its status from the cost data', async () => {
      const t = await createTenant(server);
      const created = await call('POST', '/budgets', t.apiKey, { name: 'All of it', monthly_limit: 400 });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.id, /^bud_/);
      assert.deepEqual(created.body.thresholds, [0.5, 0.8, 1]);
      assert.equal(created.body.basis, 'both');
      assert.equal(created.body.services, null);
      assert.equal(created.body.currency, null, 'no cost data yet');
      assert.equal(created.body.status.spent, 0);
      assert.equal(created.body.status.month, '2026-03');

      // February: 10 + 1 a day; March 1–10 the same. Data ends on the 10th, today is the 12th.
      await writeCosts(
        server,
        t.customerId,
        daysBetween('2026-02-01', '2026-03-10').flatMap((date) => [
          { date, service: 'EC2', amount: '10' },
          { date, service: 'S3', amount: '1' },
        ]),
      );
      const ec2 = await call('POST', '/budgets', t.apiKey, {
        name: 'EC2 only',
        monthly_limit: 250.5,
        thresholds: [0.25, 0.4],
        basis: 'actual',
        services: ['EC2'],
      });
      assert.equal(ec2.status, 201, ec2.text);
      const all = await call('GET', `/budgets/${created.body.id}`, t.apiKey);
      assert.equal(all.status, 200);
      assert.equal(all.body.currency, 'USD');
      assert.equal(all.body.status.as_of, '2026-03-10');
      assert.equal(all.body.status.spent, 110);
      assert.equal(all.body.status.forecast, 341);
      assert.equal(all.body.status.percent_used, 27.5);
      assert.equal(all.body.status.forecast_percent, 85.25);
      assert.deepEqual(all.body.status.thresholds_crossed, []);
      assert.equal(ec2.body.status.spent, 100);
      assert.equal(ec2.body.status.forecast, 310);
      assert.equal(ec2.body.monthly_limit, 250.5);

      const list = await call<{ budgets: Budget[]; has_more: boolean; next_cursor: string | null }>(
        'GET',
        '/budgets?limit=1',
        t.apiKey,
      );
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.budgets.map((b) => b.name),
        ['EC2 only'],
      );
      assert.equal(list.body.has_more, true);
      const next = await call<{ budgets: Budget[]; has_more: boolean }>(
        'GET',
        `/budgets?limit=1&cursor=${list.body.next_cursor}`,
        t.apiKey,
      );
      assert.deepEqual(
        next.body.budgets.map((b) => [b.name, b.status.spent]),
        [['All of it', 110]],
      );
      assert.equal(next.body.has_more, false);
    });

    it('keeps the limit exact to six decimal places', async () => {
      const t = await createTenant(server);
      const created = await call('POST', '/budgets', t.apiKey, { name: 'Exact', monthly_limit: 1234.567891 });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.monthly_limit, 1234.567891);
      const row = await server.ctx.database.db
        .selectFrom('budgets')
        .select('monthly_limit_micros')
        .where('id', '=', created.body.id as never)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.monthly_limit_micros), 1_234_567_891);
    });

    it('refuses bad input with a 400 naming the field', async () => {
      const t = await createTenant(server);
      const cases: [unknown, string][] = [
        [{ name: 'x', monthly_limit: -5 }, 'monthly_limit'],
        [{ name: 'x', monthly_limit: 0 }, 'monthly_limit'],
        [{ name: 'x', monthly_limit: '100' }, 'monthly_limit'],
        [{ name: 'x', monthly_limit: 2e9 }, 'monthly_limit'],
        [{ name: 'x', monthly_limit: 1e-7 }, 'monthly_limit'],
        [{ name: 'x', monthly_limit: 100, thresholds: [0.8, 0.5] }, 'thresholds.1'],
        [{ name: 'x', monthly_limit: 100, thresholds: [0.5, 'high'] }, 'thresholds.1'],
        [{ name: 'x', monthly_limit: 100, thresholds: [0, 1] }, 'thresholds.0'],
        [{ name: 'x', monthly_limit: 100, thresholds: [0.5, 11] }, 'thresholds.1'],
        [{ name: 'x', monthly_limit: 100, thresholds: [] }, 'thresholds'],
        [
          { name: 'x', monthly_limit: 100, thresholds: Array.from({ length: 11 }, (_, i) => (i + 1) / 11) },
          'thresholds',
        ],
        [{ name: 'x', monthly_limit: 100, basis: 'weekly' }, 'basis'],
        [{ name: 'x', monthly_limit: 100, services: [] }, 'services'],
        [{ name: 'x', monthly_limit: 100, services: ['EC2', 'EC2'] }, 'services'],
        [{ monthly_limit: 100 }, 'name'],
        [{ name: 'x', monthly_limit: 100, colour: 'red' }, 'colour'],
      ];
      for (const [body, field] of cases) {
        const res = await call<Problem>('POST', '/budgets', t.apiKey, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.ok(
          res.body.errors?.some((e) => e.field === field),
          `${JSON.stringify(body)} names ${field}: ${JSON.stringify(res.body.errors)}`,
        );
      }
      const created = await call('POST', '/budgets', t.apiKey, { name: 'ok', monthly_limit: 100 });
      for (const [body, field] of [
        [{ limit: 5 }, 'limit'],
        [{}, 'body'],
        [{ thresholds: [1, 0.5] }, 'thresholds.1'],
        [{ monthly_limit: -1 }, 'monthly_limit'],
      ] as const) {
        const res = await call<Problem>('PATCH', `/budgets/${created.body.id}`, t.apiKey, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.ok(
          res.body.errors?.some((e) => e.field === field),
          `${field}: ${JSON.stringify(res.body.errors)}`,
        );
      }
    });

    it('updates only the fields sent, and deletes', async () => {
      const t = await createTenant(server);
      const created = await call('POST', '/budgets', t.apiKey, {
        name: 'Before',
        monthly_limit: 100,
        services: ['EC2'],
      });
      const patched = await call('PATCH', `/budgets/${created.body.id}`, t.apiKey, {
        name: 'After',
        thresholds: [0.9, 1.2],
        basis: 'forecast',
        services: null,
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.name, 'After');
      assert.equal(patched.body.monthly_limit, 100);
      assert.deepEqual(patched.body.thresholds, [0.9, 1.2]);
      assert.equal(patched.body.basis, 'forecast');
      assert.equal(patched.body.services, null);
      assert.equal((await call('DELETE', `/budgets/${created.body.id}`, t.apiKey)).status, 204);
      assert.equal((await call('GET', `/budgets/${created.body.id}`, t.apiKey)).status, 404);
      assert.equal((await call('DELETE', `/budgets/${created.body.id}`, t.apiKey)).status, 404);
    });

    it('answers another tenant’s budget exactly like a missing one', async () => {
      const owner = await createTenant(server);
      const intruder = await createTenant(server);
      const victim = await call('POST', '/budgets', owner.apiKey, { name: 'Private', monthly_limit: 100 });
      const missing = 'bud_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b';
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { name: 'Mine now' }],
        ['DELETE', undefined],
      ] as const) {
        const theirs = await call<Problem>(method, `/budgets/${victim.body.id}`, intruder.apiKey, body);
        const none = await call<Problem>(method, `/budgets/${missing}`, intruder.apiKey, body);
        assert.equal(theirs.status, 404, `${method}: ${theirs.text}`);
        assert.deepEqual(withoutRequestId(theirs.body), withoutRequestId(none.body));
      }
      const list = await call<{ budgets: Budget[] }>('GET', '/budgets', intruder.apiKey);
      assert.deepEqual(list.body.budgets, []);
      const still = await call('GET', `/budgets/${victim.body.id}`, owner.apiKey);
      assert.equal(still.body.name, 'Private');
    });

    it('lets a viewer read budgets but not write them', async () => {
      const t = await createTenant(server);
      const viewer = await createCustomerUser(server, t.customerId, 'viewer');
      const member = await createCustomerUser(server, t.customerId, 'member');
      await call('POST', '/budgets', t.apiKey, { name: 'Team', monthly_limit: 100 });
      assert.equal((await call('GET', '/budgets', viewer.token)).status, 200);
      assert.equal((await call('POST', '/budgets', viewer.token, { name: 'x', monthly_limit: 1 })).status, 403);
      assert.equal((await call('POST', '/budgets', member.token, { name: 'x', monthly_limit: 1 })).status, 403);
    });

    it('serves the seed’s budget-alert and budget-alerts forms', async () => {
      const t = await createTenant(server);
      const created = await call<{ message: string; monthly_limit: number; alert_threshold: number; budget: Budget }>(
        'POST',
        '/budget-alert',
        t.apiKey,
        { monthly_limit: 500 },
      );
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.message, 'Budget alert configured successfully');
      assert.equal(created.body.monthly_limit, 500);
      assert.equal(created.body.alert_threshold, 0.8);
      assert.deepEqual(created.body.budget.thresholds, [0.8]);
      const custom = await call<{ budget: Budget }>('POST', '/budget-alert', t.apiKey, {
        monthly_limit: 900,
        alert_threshold: 0.95,
      });
      assert.deepEqual(custom.body.budget.thresholds, [0.95]);
      const bad = await call<Problem>('POST', '/budget-alert', t.apiKey, { monthly_limit: 900, alert_threshold: 0 });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors?.[0]?.field, 'alert_threshold');
      const alerts = await call<{ alerts: Budget[]; has_more: boolean }>('GET', '/budget-alerts', t.apiKey);
      assert.equal(alerts.status, 200);
      assert.deepEqual(
        alerts.body.alerts.map((b) => b.monthly_limit),
        [900, 500],
      );
    });
  });
}
