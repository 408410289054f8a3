import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../config/clock.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createApiKey, createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import type { Problem } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { formatMicros } from '../money.ts';
import { MAX_RECORDS_PER_BATCH } from './schemas.ts';
import { DATA_CHANGED_JOB, dailyCostsByService } from './store.ts';

interface Written {
  written: number;
  days: number;
  services: number;
  currency: string;
  data_version: number;
}
interface RecordView {
  date: string;
  service: string;
  account_id: string;
  region: string;
  tags: Record<string, string>;
  amount: string;
  currency: string;
  source: string;
}
interface RecordPage {
  records: RecordView[];
  next_cursor: string | null;
  has_more: boolean;
}

const NOW = new Date('2026-11-28T10:00:00.000Z');

for (const dialect of TEST_DIALECTS) {
  describe(`cost records API (${dialect})`, () => {
    let server: TestServer;
    const clock = manualClock(NOW);
    before(async () => {
      server = await startTestServer(dialect, { clock });
    });
    after(async () => server.close());

    const post = (token: string, body: unknown) =>
      request<Written & Problem>(server.baseUrl, 'POST', '/v1/cost/records', { token, body });
    const list = (token: string, query = '') =>
      request<RecordPage & Problem>(server.baseUrl, 'GET', `/v1/cost/records${query}`, { token });

    it('stores a batch exactly, lists it in key order a page at a time and replaces a re-sent day', async () => {
      const tenant = await createTenant(server);
      const first = await post(tenant.apiKey, {
        records: [
          { date: '2026-11-02', service: 'Amazon EC2', amount: '0.1', currency: 'usd', region: 'eu-west-1' },
          { date: '2026-11-01', service: 'Amazon S3', amount: 0.2, currency: 'USD', tags: { team: 'data' } },
          { date: '2026-11-01', service: 'Amazon EC2', amount: '123456789.123456', currency: 'USD' },
          { date: '2026-11-01', service: 'Amazon EC2', account_id: '42', amount: '-5', currency: 'USD' },
        ],
      });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body, { written: 4, days: 2, services: 2, currency: 'USD', data_version: 1 });

      const page1 = await list(tenant.apiKey, '?limit=3');
      assert.equal(page1.status, 200, page1.text);
      assert.deepEqual(
        page1.body.records.map((r) => [r.date, r.service, r.account_id, r.region, r.amount]),
        [
          ['2026-11-01', 'Amazon EC2', '', '', '123456789.123456'],
          ['2026-11-01', 'Amazon EC2', '42', '', '-5.000000'],
          ['2026-11-01', 'Amazon S3', '', '', '0.200000'],
        ],
      );
      assert.deepEqual(page1.body.records[2]?.tags, { team: 'data' });
      assert.equal(page1.body.records[2]?.source, 'api');
      assert.equal(page1.body.has_more, true);
      const page2 = await list(tenant.apiKey, `?limit=3&cursor=${page1.body.next_cursor}`);
      assert.deepEqual(
        page2.body.records.map((r) => [r.date, r.service, r.region, r.amount]),
        [['2026-11-02', 'Amazon EC2', 'eu-west-1', '0.100000']],
      );
      assert.equal(page2.body.has_more, false);
      assert.equal(page2.body.next_cursor, null);

      const again = await post(tenant.apiKey, {
        records: [{ date: '2026-11-01', service: 'Amazon S3', amount: '7.25', currency: 'USD', tags: { team: 'ml' } }],
      });
      assert.deepEqual(again.body, { written: 1, days: 1, services: 1, currency: 'USD', data_version: 2 });
      const replaced = await list(tenant.apiKey, '?service=Amazon%20S3');
      assert.deepEqual(
        replaced.body.records.map((r) => [r.date, r.amount, r.tags]),
        [['2026-11-01', '7.250000', { team: 'ml' }]],
      );
      const filtered = await list(tenant.apiKey, '?from=2026-11-02&to=2026-11-30');
      assert.deepEqual(
        filtered.body.records.map((r) => r.date),
        ['2026-11-02'],
      );

      const jobs = await server.database.db
        .selectFrom('jobs')
        .select('name')
        .where('name', '=', DATA_CHANGED_JOB)
        .where('payload', 'like', `%${tenant.customerId}%`)
        .execute();
      assert.equal(jobs.length, 2);
    });

    it('adds a full batch of 10,000 one-millionths to exactly 0.01', async () => {
      const tenant = await createTenant(server);
      const records = Array.from({ length: MAX_RECORDS_PER_BATCH }, (_, i) => ({
        date: '2026-10-01',
        service: 'Amazon S3',
        account_id: String(i),
        amount: i % 2 === 0 ? '0.000001' : 0.000001,
        currency: 'USD',
      }));
      const written = await post(tenant.apiKey, { records });
      assert.equal(written.status, 200, written.text.slice(0, 300));
      assert.equal(written.body.written, MAX_RECORDS_PER_BATCH);
      const [day] = await dailyCostsByService(server.database.db, tenant.customerId);
      assert.equal(formatMicros(day?.amountMicros ?? 0), '0.010000');
    });

    it('keeps one currency per tenant, naming the rows that differ', async () => {
      const tenant = await createTenant(server);
      const mixed = await post(tenant.apiKey, {
        records: [
          { date: '2026-11-01', service: 'A', amount: 1, currency: 'USD' },
          { date: '2026-11-01', service: 'B', amount: 1, currency: 'EUR' },
          { date: '2026-11-01', service: 'C', amount: 1, currency: 'USD' },
          { date: '2026-11-01', service: 'D', amount: 1, currency: 'GBP' },
        ],
      });
      assert.equal(mixed.status, 400, mixed.text);
      assert.deepEqual(
        mixed.body.errors?.map((e) => e.field),
        ['records.1.currency', 'records.3.currency'],
      );
      assert.equal((await list(tenant.apiKey)).body.records.length, 0);

      assert.equal(
        (await post(tenant.apiKey, { records: [{ date: '2026-11-01', service: 'A', amount: 1, currency: 'USD' }] }))
          .status,
        200,
      );
      const other = await post(tenant.apiKey, {
        records: [
          { date: '2026-11-02', service: 'A', amount: 1, currency: 'EUR' },
          { date: '2026-11-03', service: 'A', amount: 1, currency: 'EUR' },
        ],
      });
      assert.equal(other.status, 400);
      assert.deepEqual(
        other.body.errors?.map((e) => [e.field, e.message]),
        [
          ['records.0.currency', "must be USD, the tenant's currency (one currency per tenant)"],
          ['records.1.currency', "must be USD, the tenant's currency (one currency per tenant)"],
        ],
      );
    });

    it('refuses bad input with a 400 naming the field, storing nothing', async () => {
      const tenant = await createTenant(server);
      const good = { date: '2026-11-01', service: 'A', amount: '1.5', currency: 'USD' };
      const cases: Array<[unknown, string]> = [
        [{}, 'records'],
        [{ records: [] }, 'records'],
        [{ records: [{ ...good, date: '2026-02-30' }] }, 'records.0.date'],
        [{ records: [{ ...good, date: '2026-11-30' }] }, 'records.0.date'],
        [{ records: [{ ...good, date: '27/11/2026' }] }, 'records.0.date'],
        [{ records: [good, { ...good, service: '' }] }, 'records.1.service'],
        [{ records: [{ ...good, amount: 'twelve' }] }, 'records.0.amount'],
        [{ records: [{ ...good, amount: true }] }, 'records.0.amount'],
        [{ records: [{ ...good, tags: { team: 5 } }] }, 'records.0.tags.team'],
        [{ records: [{ ...good, tags: ['a'] }] }, 'records.0.tags'],
        [{ records: [{ ...good, colour: 'red' }] }, 'records.0.colour'],
        [{ records: [good, good] }, 'records.1'],
        [{ records: Array.from({ length: 10_001 }, () => good) }, 'records'],
      ];
      for (const [body, field] of cases) {
        const response = await post(tenant.apiKey, body);
        assert.equal(response.status, 400, `${field}: ${response.text.slice(0, 300)}`);
        assert.equal(response.body.errors?.[0]?.field, field, response.text.slice(0, 300));
      }
      assert.equal((await list(tenant.apiKey)).body.records.length, 0);
      for (const [query, field] of [
        ['?from=2026-11-05&to=2026-11-01', 'to'],
        ['?from=2026-1-05', 'from'],
        ['?limit=101', 'limit'],
      ]) {
        const refused = await list(tenant.apiKey, query);
        assert.equal(refused.status, 400, query);
        assert.equal(refused.body.errors?.[0]?.field, field, query);
      }
      const cursor = await list(tenant.apiKey, '?cursor=bm90LWEtY3Vyc29y');
      assert.equal(cursor.status, 400);
      assert.equal(cursor.body.errors?.[0]?.field, 'cursor');
    });

    it('needs cost:write to write and shows a tenant only its own records', async () => {
      const a = await createTenant(server);
      const b = await createTenant(server);
      assert.equal(
        (await post(a.apiKey, { records: [{ date: '2026-11-01', service: 'A', amount: 1, currency: 'USD' }] })).status,
        200,
      );
      assert.deepEqual((await list(b.apiKey)).body.records, []);
      const viewer = await createApiKey(server, a.customerId, 'viewer');
      assert.equal((await list(viewer.key)).body.records.length, 1);
      const refused = await post(viewer.key, {
        records: [{ date: '2026-11-02', service: 'A', amount: 1, currency: 'USD' }],
      });
      assert.equal(refused.status, 403);
    });
  });
}
