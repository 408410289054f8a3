/**
 * The cost product end to end over real HTTP: billing exports in the three formats, made here with
 * every mess of real files, are imported through the API and its durable job; the forecast, the
 * service breakdown, the anomalies and a budget's status follow from what was imported, and the
 * budget's crossings reach a real webhook receiver, signed, once each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import { validateEventData } from '../webhooks/catalog.ts';
import { startReceiver } from '../webhooks/testing/receiver.ts';
import { daysBetween } from './testing/costs.ts';
import { deliveries, startCostHarness, tenantWithEndpoint } from './testing/harness.ts';
import {
  CUR2_HEADER,
  csvFile,
  cur2Row,
  FOCUS_COSTS,
  focusFile,
  gzip,
  LEGACY_COSTS,
  legacyCur,
  MESSY_CUR2_COSTS,
  MESSY_CUR2_REJECTED,
  messyCur2,
  TEST_NOW,
} from './imports/testing/exports.ts';

interface ImportView {
  id: string;
  status: string;
  format: string | null;
  rows_rejected: number;
  rejected: Array<{ line: number; reason: string }>;
  error: string | null;
}

interface ForecastView {
  forecast: Array<{ month: string; forecast_value: number; lower_bound: number; upper_bound: number }>;
  history: Array<{ month: string; actual: number; partial: boolean }>;
  historical_months: number;
  interval_level: number;
  currency: string;
  service_breakdown: Array<{ service: string; projected_cost: number; percentage: number }>;
  nowcast: { actual_to_date: number } | null;
  services?: Array<{ service: string; forecast: Array<{ month: string; forecast_value: number }> }>;
  anomalies: Array<{ date: string; service: string; direction: string }>;
}

const HISTORY_ACCOUNT = '444444444444';
const SPIKE_DAY = '2026-11-20';

/** Daily cost of the generated history in micro-units, per service: weekly cycle, growth, one spike. */
function historyCost(date: string, service: 'AmazonEC2' | 'AmazonRDS' | 'AmazonS3'): number {
  const day = new Date(`${date}T00:00:00Z`);
  const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
  const monthsIn = (day.getUTCFullYear() - 2026) * 12 + day.getUTCMonth() - 4;
  const growth = 1 + 0.03 * monthsIn;
  const base = { AmazonEC2: weekend ? 60 : 100, AmazonRDS: 40, AmazonS3: 20 }[service];
  const spike = service === 'AmazonEC2' && date === SPIKE_DAY ? 5 : 1;
  return Math.round(base * growth * spike * 100) * 10_000;
}

const SERVICES = ['AmazonEC2', 'AmazonRDS', 'AmazonS3'] as const;
const HISTORY_DAYS = daysBetween('2026-05-01', '2026-11-27');

/**
 * The CUR 2.0 file: six months of hourly rows (each day's cost in two halves, at 03:00 and 15:00
 * UTC), followed by the messy rows (tax, credits, refunds, savings plans, scientific notation,
 * quoted JSON tags, zone offsets, empty costs and six bad rows); with a BOM, gzipped.
 */
function curHistoryFile(): { bytes: Buffer; rows: number } {
  const rows: string[][] = [];
  for (const date of HISTORY_DAYS) {
    for (const service of SERVICES) {
      const micros = historyCost(date, service);
      const first = Math.floor(micros / 2 / 10_000) * 10_000;
      for (const [hour, part] of [
        ['03', first],
        ['15', micros - first],
      ] as const) {
        rows.push(
          cur2Row({
            line_item_usage_account_id: HISTORY_ACCOUNT,
            line_item_product_code: service,
            line_item_usage_start_date: `${date}T${hour}:00:00Z`,
            line_item_unblended_cost: (part / 1_000_000).toFixed(2),
            resource_tags: '{"user_team":"platform","user_env":"prod"}',
          }),
        );
      }
    }
  }
  const messy = messyCur2().split('\n').slice(1).join('\n');
  const text = `${csvFile(CUR2_HEADER, rows, true)}${messy}`;
  return { bytes: gzip(text), rows: rows.length };
}

async function upload(server: TestServer, token: string, body: Buffer | string, type: string, query = '') {
  const response = await fetch(`${server.baseUrl}/v1/cost/import${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  assert.equal(response.status, 202, text);
  return (JSON.parse(text) as ImportView).id;
}

async function finished(server: TestServer, token: string, id: string, settle: () => Promise<void>) {
  let view: ImportView | undefined;
  await waitFor(
    async () => {
      await settle();
      view = (await request<ImportView>(server.baseUrl, 'GET', `/v1/cost/imports/${id}`, { token })).body;
      return view.status === 'succeeded' || view.status === 'failed';
    },
    60_000,
    `import ${id} to finish`,
  );
  return view as ImportView;
}

const sumMicros = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const monthMicros = (month: string) =>
  sumMicros(HISTORY_DAYS.filter((d) => d.startsWith(month)).flatMap((d) => SERVICES.map((s) => historyCost(d, s))));
const near = (actual: number, expectedMicros: number, what: string) =>
  assert.ok(Math.abs(actual - expectedMicros / 1_000_000) < 1e-6, `${what}: ${actual} vs ${expectedMicros / 1e6}`);

for (const dialect of TEST_DIALECTS) {
  describe(`the cost product end to end on ${dialect}`, () => {
    it(
      'imports CUR 2.0, legacy CUR and FOCUS files; forecast, breakdown, anomalies and a budget follow; crossings are delivered once',
      { timeout: 300_000 },
      async () => {
        const h = await startCostHarness(dialect, TEST_NOW);
        const receiver = await startReceiver();
        try {
          const t = await tenantWithEndpoint(h.server, receiver, '/costs');
          const get = <T>(path: string) => request<T>(h.server.baseUrl, 'GET', `/v1/cost${path}`, { token: t.apiKey });

          // CUR 2.0 (gzip, BOM, every messy case), then a legacy CUR file, into one USD tenant.
          const cur = curHistoryFile();
          const curImport = await finished(
            h.server,
            t.apiKey,
            await upload(h.server, t.apiKey, cur.bytes, 'application/gzip', '?filename=cur-2026.csv.gz'),
            h.settle,
          );
          assert.equal(curImport.status, 'succeeded', curImport.error ?? '');
          assert.equal(curImport.format, 'cur2');
          assert.equal(curImport.rows_rejected, MESSY_CUR2_REJECTED.length);
          assert.deepEqual(
            curImport.rejected.map((r) => [r.line - cur.rows, r.reason]),
            MESSY_CUR2_REJECTED.map((r) => [r.line, r.reason]),
            'rejected rows named by their line in the whole file',
          );
          const legacyImport = await finished(
            h.server,
            t.apiKey,
            await upload(h.server, t.apiKey, legacyCur(), 'text/csv'),
            h.settle,
          );
          assert.equal(legacyImport.status, 'succeeded', legacyImport.error ?? '');
          assert.equal(legacyImport.format, 'cur_legacy');

          // The forecast follows from the imports: exact monthly history, the current month nowcast.
          const forecast = await get<ForecastView>('/forecast?months=3&confidence_level=high&by=service');
          assert.equal(forecast.status, 200, forecast.text);
          const f = forecast.body;
          assert.equal(f.currency, 'USD');
          assert.equal(f.interval_level, 95);
          assert.equal(f.historical_months, 6);
          const history = new Map(f.history.map((m) => [m.month, m]));
          near(history.get('2026-06')?.actual ?? NaN, monthMicros('2026-06'), 'June');
          near(
            history.get('2026-10')?.actual ?? NaN,
            monthMicros('2026-10') +
              sumMicros(Object.values(MESSY_CUR2_COSTS)) +
              sumMicros(Object.values(LEGACY_COSTS)),
            'October: history, messy rows and the legacy file',
          );
          near(history.get('2026-11')?.actual ?? NaN, monthMicros('2026-11'), 'November to date');
          assert.equal(history.get('2026-11')?.partial, true);
          assert.deepEqual(
            f.forecast.map((m) => m.month),
            ['2026-11', '2026-12', '2027-01'],
          );
          const november = f.forecast[0];
          assert.ok(november && november.forecast_value >= monthMicros('2026-11') / 1e6, 'nowcast ≥ month to date');
          for (const m of f.forecast) assert.ok(m.lower_bound <= m.forecast_value && m.forecast_value <= m.upper_bound);

          // The breakdown names the imported services, and the per-service forecasts add up to the total.
          const services = new Set(f.service_breakdown.map((s) => s.service));
          for (const service of SERVICES) assert.ok(services.has(service), `${service} in the breakdown`);
          assert.ok(Math.abs(f.service_breakdown.reduce((a, s) => a + s.percentage, 0) - 100) < 0.5);
          f.forecast.forEach((m, i) => {
            const sum = (f.services ?? []).reduce((a, s) => a + (s.forecast[i]?.forecast_value ?? 0), 0);
            assert.ok(
              Math.abs(sum - m.forecast_value) < 0.05,
              `${m.month}: services add up (${sum} vs ${m.forecast_value})`,
            );
          });

          // The EC2 spike is an anomaly, of the service and of the total.
          const anomalies = await get<{ anomalies: Array<{ date: string; service: string; direction: string }> }>(
            `/anomalies?from=${SPIKE_DAY}&to=${SPIKE_DAY}`,
          );
          assert.equal(anomalies.status, 200, anomalies.text);
          assert.ok(
            anomalies.body.anomalies.some((a) => a.service === 'AmazonEC2' && a.direction === 'spike'),
            anomalies.text,
          );

          // A budget at 95 % spent with the month's end above it: 50 % and 80 % reached, forecast over.
          const spent = monthMicros('2026-11');
          const limit = Math.ceil(spent / 0.95 / 1_000_000);
          const budget = await request<{ id: string }>(h.server.baseUrl, 'POST', '/v1/cost/budgets', {
            token: t.apiKey,
            body: { name: 'Cloud', monthly_limit: limit, thresholds: [0.5, 0.8, 1], basis: 'both' },
          });
          assert.equal(budget.status, 201, budget.text);
          await h.dailyCheck();
          const status = await get<{
            status: { spent: number; thresholds_crossed: number[]; forecast_exceeded: boolean };
          }>(`/budgets/${budget.body.id}`);
          near(status.body.status.spent, spent, 'budget spent this month');
          assert.deepEqual(status.body.status.thresholds_crossed, [0.5, 0.8]);
          assert.equal(status.body.status.forecast_exceeded, true);

          const budgetEvents = () =>
            deliveries(receiver, '/costs', t.secret).filter((d) => d.type !== 'cost.anomaly_detected');
          await waitFor(() => budgetEvents().length >= 5, 30_000, 'the budget deliveries');
          await h.dailyCheck();
          const delivered = budgetEvents();
          assert.deepEqual(delivered.map((d) => d.type).sort(), [
            'cost.budget_threshold_reached',
            'cost.budget_threshold_reached',
            'cost.forecast_exceeds_budget',
            'usage.threshold_exceeded',
            'usage.threshold_exceeded',
          ]);
          for (const d of delivered) assert.deepEqual(validateEventData(d.type, d.data), [], d.type);
          assert.deepEqual(
            delivered
              .filter((d) => d.type === 'cost.budget_threshold_reached')
              .map((d) => d.data.threshold_percent)
              .sort(),
            [50, 80],
          );
          assert.ok(deliveries(receiver, '/costs', t.secret).some((d) => d.type === 'cost.anomaly_detected'));

          // FOCUS, at the effective basis, into a EUR tenant: exact records, and a clear 422 for its
          // two days of history instead of a made-up line.
          const eu = await createTenant(h.server);
          const focusImport = await finished(
            h.server,
            eu.apiKey,
            await upload(h.server, eu.apiKey, focusFile(), 'text/csv', '?basis=effective'),
            h.settle,
          );
          assert.equal(focusImport.status, 'succeeded', focusImport.error ?? '');
          assert.equal(focusImport.format, 'focus');
          const records = await request<{ records: Array<{ date: string; service: string; amount: string }> }>(
            h.server.baseUrl,
            'GET',
            '/v1/cost/records?limit=100',
            { token: eu.apiKey },
          );
          const expected = FOCUS_COSTS.effective;
          assert.equal(
            records.body.records.reduce((a, r) => a + Math.round(Number(r.amount) * 1_000_000), 0),
            sumMicros(Object.values(expected)),
          );
          const short = await request(h.server.baseUrl, 'GET', '/v1/cost/forecast', { token: eu.apiKey });
          assert.equal(short.status, 422, short.text);
          assert.match(short.text, /3 full months/);
        } finally {
          await receiver.close();
          await h.close();
        }
      },
    );
  });
}
