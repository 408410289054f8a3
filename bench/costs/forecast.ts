// Forecast API latency: a tenant with 36 months of daily costs in 15 services on SQLite, the whole
// app through inject. Cold requests follow a write that bumps the data version (untimed), so each
// one reads the daily rows, computes and stores; cached requests repeat the same parameters.
// Baselines in the same run: an authenticated trivial route and the pure computation alone.
// Aims: cold p99 < 100 ms, cached < 5 ms.
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../src/config/clock.ts';
import { computeForecast } from '../../src/forecasting/forecast/compute.ts';
import { costHistoryOf, sampleDailyCosts } from '../../src/forecasting/forecast/sample-costs.ts';
import { dailyCostsByService, writeDailyCosts } from '../../src/forecasting/records/store.ts';
import { createTenant } from '../../src/testing/factories.ts';
import { startTestServer } from '../../src/testing/server.ts';

const SERVICES = 15;
const ROUNDS = 60;
const WARM_UP = 5;

const server = await startTestServer('sqlite');
try {
  const tenant = await createTenant(server, { name: 'Bench tenant' });
  const today = systemClock();
  const end = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
  const start = new Date(Date.UTC(today.getUTCFullYear() - 3, today.getUTCMonth(), 1)).toISOString().slice(0, 10);
  const rows = sampleDailyCosts({ from: start, to: end, services: SERVICES });
  const write = (data: typeof rows) =>
    server.database.db.transaction().execute((trx) =>
      writeDailyCosts(trx, {
        customerId: tenant.customerId,
        currency: 'USD',
        rows: data,
        source: 'demo',
        now: systemClock(),
      }),
    );
  await write(rows);
  const headers = { authorization: `Bearer ${tenant.apiKey}` };
  const get = async (url: string) => {
    const response = await server.app.inject({ method: 'GET', url, headers });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
  };
  const lastRow = rows.at(-1) as (typeof rows)[number];

  const stats = (samples: number[]) => {
    const sorted = samples.slice(WARM_UP).sort((a, b) => a - b);
    const at = (q: number) =>
      (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number).toFixed(2);
    return `p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  max ${at(1)} ms`;
  };
  const time = async (run: (i: number) => Promise<unknown>, before?: (i: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS + WARM_UP; i += 1) {
      if (before) await before(i);
      const t0 = performance.now();
      await run(i);
      samples.push(performance.now() - t0);
    }
    return stats(samples);
  };
  const bump = (i: number) => write([{ ...lastRow, amountMicros: lastRow.amountMicros + i }]);

  console.log(`forecast API: ${rows.length.toLocaleString('en')} daily rows (${SERVICES} services, ${start} … ${end})`);
  console.log(`  baseline GET /v1/me          ${await time(() => get('/v1/me'))}`);
  const todayText = today.toISOString().slice(0, 10);
  const history = costHistoryOf(await dailyCostsByService(server.database.db, tenant.customerId), todayText);
  const compute = (months: number, byService: boolean) =>
    time(async () =>
      computeForecast({
        history,
        today: todayText,
        params: { months, level: 80, byService },
        currency: 'USD',
        generatedAt: todayText,
      }),
    );
  console.log(`  baseline computation, 6 months    ${await compute(6, false)}`);
  console.log(`  baseline computation, 24 months   ${await compute(24, false)}`);
  for (const query of ['months=6', 'months=24', 'months=24&by=service&confidence_level=high']) {
    console.log(`  cold   ${query.padEnd(44)} ${await time(() => get(`/v1/cost/forecast?${query}`), bump)}`);
    console.log(`  cached ${query.padEnd(44)} ${await time(() => get(`/v1/cost/forecast?${query}`))}`);
  }
  console.log(
    `  cached CSV export, months=6       ${await time(() => get('/v1/cost/forecast/export?format=csv&months=6'))}`,
  );
} finally {
  await server.close();
}
