import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PDFParse } from 'pdf-parse';
import { manualClock } from '../../config/clock.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import type { Problem } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { writeDailyCosts } from '../records/store.ts';
import type { ForecastResponse } from './service.ts';
import { sampleDailyCosts } from './sample-costs.ts';

const NOW = new Date('2026-11-28T10:00:00.000Z');

async function download(server: TestServer, token: string, query: string) {
  const response = await fetch(`${server.baseUrl}/v1/cost/forecast/export${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

const money = (value: number) => value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

for (const dialect of TEST_DIALECTS) {
  describe(`cost forecast exports (${dialect})`, () => {
    let server: TestServer;
    const clock = manualClock(NOW);
    let tenant: { customerId: string; apiKey: string };

    before(async () => {
      server = await startTestServer(dialect, { clock });
      tenant = await createTenant(server, { name: 'Export Tenant Ltd' });
      const rows = sampleDailyCosts({ from: '2025-01-01', to: '2026-11-27', services: 4, seed: 7 });
      await server.database.db
        .transaction()
        .execute((trx) =>
          writeDailyCosts(trx, { customerId: tenant.customerId, currency: 'USD', rows, source: 'demo', now: clock() }),
        );
    });
    after(async () => server.close());

    const forecastOf = async (query: string) =>
      (await request<ForecastResponse>(server.baseUrl, 'GET', `/v1/cost/forecast${query}`, { token: tenant.apiKey }))
        .body;

    it('exports CSV with the seed’s columns honouring months and level, from the cached forecast', async () => {
      const api = await forecastOf('?months=4&confidence_level=high');
      const { response, bytes } = await download(server, tenant.apiKey, '?format=csv&months=4&confidence_level=high');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.equal(response.headers.get('content-disposition'), 'attachment; filename="cost-forecast-2026-11.csv"');
      const lines = bytes.toString('utf8').split('\r\n');
      assert.equal(lines[0], 'Month,Forecast,Lower Bound,Upper Bound,MoM Change');
      assert.equal(lines.length, 6);
      assert.equal(lines[5], '');
      api.forecast.forEach((p, i) => {
        assert.equal(
          lines[i + 1],
          [p.month, p.forecast_value, p.lower_bound, p.upper_bound, p.month_over_month_change ?? ''].join(','),
        );
      });
    });

    it('exports JSON equal to the API response', async () => {
      const api = await forecastOf('?months=2&level=90');
      const { response, bytes } = await download(server, tenant.apiKey, '?format=json&months=2&level=90');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-disposition'), 'attachment; filename="cost-forecast-2026-11.json"');
      assert.deepEqual(JSON.parse(bytes.toString('utf8')), api);
    });

    it('exports a PDF report naming the tenant, the months, the figures and the method', async () => {
      const api = await forecastOf('?months=6');
      const { response, bytes } = await download(server, tenant.apiKey, '?format=pdf&months=6');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/pdf');
      assert.equal(response.headers.get('content-disposition'), 'attachment; filename="cost-forecast-2026-11.pdf"');
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
      const text = await pdfText(bytes);
      assert.match(text, /Cost forecast/);
      assert.match(text, /Export Tenant Ltd/);
      assert.match(text, /Generated 2026-11-28/);
      assert.match(text, /80 % prediction interval/);
      for (const p of api.forecast) {
        assert.ok(text.includes(p.month), p.month);
        assert.ok(text.includes(money(p.forecast_value)), money(p.forecast_value));
        assert.ok(text.includes(money(p.upper_bound)), money(p.upper_bound));
      }
      for (const s of api.service_breakdown) assert.ok(text.includes(s.service), s.service);
      assert.ok(text.includes(api.model), api.model);
      assert.match(text, /MAPE \d+\.\d\d %, sMAPE \d+\.\d\d %, MASE \d+\.\d{3}/);
    });

    it('refuses an unknown format naming the field', async () => {
      const response = await request<Problem>(server.baseUrl, 'GET', '/v1/cost/forecast/export?format=xlsx', {
        token: tenant.apiKey,
      });
      assert.equal(response.status, 400);
      assert.equal(response.body.errors?.[0]?.field, 'format');
    });
  });
}
