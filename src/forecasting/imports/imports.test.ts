import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../config/clock.ts';
import { JobRunner } from '../../jobs/index.ts';
import { LeaseLost } from '../../jobs/types.ts';
import type { JobContext } from '../../jobs/types.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createApiKey, createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import type { ApiResponse } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { IMPORT_JOB, IMPORT_SPOOL_SWEEP_JOB, importJobs } from './job.ts';
import type { ImportJobPayload } from './job.ts';
import type { ImportViewType } from './schemas.ts';
import { importSpool } from './spool.ts';
import {
  focusFile,
  FOCUS_COSTS,
  gzip,
  LEGACY_COSTS,
  legacyCur,
  MESSY_CUR2_COSTS,
  MESSY_CUR2_REJECTED,
  messyCur2,
  PNG_BYTES,
  TEST_NOW,
} from './testing/exports.ts';

// Small, so the over-limit case sends little; the default (1 GiB) is the config test's business.
const MAX_BYTES = 64 * 1024;

type Upload = { bytes: Buffer | string; type?: string; query?: string; filename?: string; basis?: string };

/** Uploads as multipart/form-data (field `file`, optional `basis`). */
async function uploadForm(server: TestServer, token: string, file: Upload): Promise<ApiResponse<ImportViewType>> {
  const form = new FormData();
  if (file.basis !== undefined) form.append('basis', file.basis);
  form.append('file', new Blob([Buffer.from(file.bytes)], { type: 'text/csv' }), file.filename ?? 'export.csv');
  const response = await fetch(`${server.baseUrl}/v1/cost/import${file.query ?? ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as ImportViewType, text };
}

/** Uploads as the raw body. */
async function uploadRaw(server: TestServer, token: string, file: Upload): Promise<ApiResponse<ImportViewType>> {
  const response = await fetch(`${server.baseUrl}/v1/cost/import${file.query ?? ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': file.type ?? 'text/csv' },
    body: Buffer.from(file.bytes),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as ImportViewType, text };
}

for (const dialect of TEST_DIALECTS) {
  describe(`billing export imports over HTTP on ${dialect}`, () => {
    let server: TestServer;
    let runner: JobRunner;
    const clock = manualClock(TEST_NOW);

    const spooled = () => {
      try {
        return readdirSync(join(server.ctx.config.dataDir, 'cost-imports'));
      } catch {
        return [];
      }
    };
    const show = (token: string, id: string) =>
      request<ImportViewType>(server.baseUrl, 'GET', `/v1/cost/imports/${id}`, { token });
    /** Uploads, runs the queued job(s) and returns the import as the API shows it afterwards. */
    async function imported(token: string, file: Upload, form = false): Promise<ImportViewType> {
      const accepted = form ? await uploadForm(server, token, file) : await uploadRaw(server, token, file);
      assert.equal(accepted.status, 202, accepted.text);
      assert.equal(accepted.headers.get('location'), `/v1/cost/imports/${accepted.body.id}`);
      assert.equal(accepted.body.status, 'queued');
      await runner.drain();
      const shown = await show(token, accepted.body.id);
      assert.equal(shown.status, 200);
      return shown.body;
    }
    async function recordsOf(customerId: string) {
      const rows = await server.database.db
        .selectFrom('cost_records')
        .select(['date', 'service', 'account_id', 'region', 'amount_micros', 'currency', 'source', 'tags'])
        .where('customer_id', '=', customerId)
        .execute();
      return {
        amounts: Object.fromEntries(
          rows.map((r) => [`${r.date}|${r.service}|${r.account_id}|${r.region}`, Number(r.amount_micros)]),
        ),
        rows,
      };
    }

    before(async () => {
      server = await startTestServer(dialect, { env: { COST_IMPORT_MAX_BYTES: String(MAX_BYTES) }, clock });
      runner = new JobRunner({
        handle: server.database,
        clock,
        handlers: importJobs({ db: server.database.db, clock, spool: importSpool(server.ctx.config.dataDir) }),
      });
    });
    after(async () => {
      await server.close();
    });

    it('imports the messy CUR 2.0 file sent as a form: records, rejected lines, kinds, no spool left', async () => {
      const tenant = await createTenant(server);
      const done = await imported(tenant.apiKey, { bytes: messyCur2(), filename: '../cur-2026-10.csv' }, true);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.filename, 'cur-2026-10.csv');
      assert.equal(done.format, 'cur2');
      assert.equal(done.basis, 'unblended');
      assert.equal(done.progress_percent, 100);
      assert.equal(done.bytes_read, done.bytes_total);
      assert.deepEqual([done.rows_read, done.rows_imported, done.rows_rejected, done.days_written], [20, 14, 6, 2]);
      assert.deepEqual(done.rejected, MESSY_CUR2_REJECTED);
      assert.deepEqual(done.summary?.charge_kinds, {
        usage: '7.5900000181',
        tax: '0.4',
        credit: '-1',
        refund: '-0.25',
        savings_plan_negation: '-3',
        commitment: '12',
        discount: '-0.1',
      });
      assert.equal(done.summary?.currency, 'USD');
      assert.equal(done.error, null);
      const { amounts, rows } = await recordsOf(tenant.customerId);
      assert.deepEqual(amounts, MESSY_CUR2_COSTS);
      assert.ok(rows.every((r) => r.source === `import:${done.id}` && r.currency === 'USD'));
      assert.deepEqual(spooled(), []);
    });

    it('imports a gzipped legacy CUR body and a FOCUS body at the effective basis, then billed replaces the days', async () => {
      const legacyTenant = await createTenant(server);
      const legacy = await imported(legacyTenant.apiKey, {
        bytes: gzip(legacyCur()),
        type: 'application/gzip',
        query: '?filename=cur.csv.gz',
      });
      assert.equal(legacy.status, 'succeeded', JSON.stringify(legacy.error));
      assert.equal(legacy.format, 'cur_legacy');
      assert.deepEqual((await recordsOf(legacyTenant.customerId)).amounts, LEGACY_COSTS);

      const tenant = await createTenant(server);
      const effective = await imported(tenant.apiKey, { bytes: focusFile(), query: '?basis=effective' });
      assert.equal(effective.status, 'succeeded', JSON.stringify(effective.error));
      assert.equal(effective.basis, 'effective');
      assert.equal(effective.summary?.currency, 'EUR');
      assert.deepEqual((await recordsOf(tenant.customerId)).amounts, FOCUS_COSTS.effective);
      const billed = await imported(tenant.apiKey, { bytes: focusFile(), type: 'application/octet-stream' });
      assert.equal(billed.basis, 'billed');
      assert.deepEqual((await recordsOf(tenant.customerId)).amounts, FOCUS_COSTS.billed);
    });

    it('sums 100,000 rows of 0.000001 to exactly 0.1 (a gzip body well under the size limit)', async () => {
      const tenant = await createTenant(server);
      const header = 'ChargePeriodStart,ServiceName,BilledCost,SubAccountId,RegionId,BillingCurrency\n';
      const body = gzip(header + '2026-11-01T00:00:00Z,Compute,0.000001,a,r,USD\n'.repeat(100_000));
      assert.ok(body.length < MAX_BYTES);
      const done = await imported(tenant.apiKey, { bytes: body, type: 'application/gzip' });
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.rows_imported, 100_000);
      assert.equal(done.summary?.total, '0.1');
      assert.deepEqual((await recordsOf(tenant.customerId)).amounts, { '2026-11-01|Compute|a|r': 100_000 });
    });

    it("fails an import whose rows are all in another currency than the tenant's, naming the rows", async () => {
      const tenant = await createTenant(server);
      assert.equal((await imported(tenant.apiKey, { bytes: messyCur2() })).status, 'succeeded');
      const mixed = await imported(tenant.apiKey, { bytes: focusFile() });
      assert.equal(mixed.status, 'failed');
      assert.match(mixed.error?.message ?? '', /None of the file's 6 rows could be imported/);
      assert.equal(mixed.rows_rejected, 6);
      assert.deepEqual(mixed.rejected[0], { line: 2, reason: "currency EUR differs from this import's currency USD" });
      assert.deepEqual((await recordsOf(tenant.customerId)).amounts, MESSY_CUR2_COSTS);
      assert.deepEqual(spooled(), []);
    });

    it('fails imports of files it cannot read, with the problem named on the import', async () => {
      const tenant = await createTenant(server);
      const cases: [string, Upload, string, RegExp][] = [
        [
          'unknown format',
          { bytes: 'date,amount\n2026-10-01,1\n' },
          'unprocessable',
          /AWS CUR 2\.0 lacks line_item_usage_start_date/,
        ],
        [
          'header only',
          { bytes: '\uFEFFChargePeriodStart,ServiceName,BilledCost,SubAccountId,RegionId\n' },
          'unprocessable',
          /header but no rows/,
        ],
        ['binary', { bytes: PNG_BYTES, type: 'application/octet-stream' }, 'unsupported_media_type', /PNG image/],
        [
          'truncated gzip',
          { bytes: gzip(messyCur2()).subarray(0, 300), type: 'application/gzip' },
          'unprocessable',
          /truncated or damaged gzip/,
        ],
        [
          'effective basis on CUR',
          { bytes: messyCur2(), query: '?basis=effective' },
          'unprocessable',
          /effective basis is for FOCUS/,
        ],
      ];
      for (const [name, file, code, message] of cases) {
        const done = await imported(tenant.apiKey, file);
        assert.equal(done.status, 'failed', name);
        assert.equal(done.error?.code, code, name);
        const described = `${done.error?.message} ${done.error?.errors.map((e) => e.message).join('; ')}`;
        assert.match(described, message, name);
      }
      assert.deepEqual(spooled(), []);
      assert.deepEqual((await recordsOf(tenant.customerId)).rows, []);
    });

    it('refuses an empty upload, an unknown basis and a body that is not a file, queueing nothing', async () => {
      const tenant = await createTenant(server);
      const empty = await uploadRaw(server, tenant.apiKey, { bytes: '' });
      assert.equal(empty.status, 422);
      assert.equal((empty.body as unknown as { errors: { field: string }[] }).errors[0]?.field, 'file');
      const query = await uploadRaw(server, tenant.apiKey, { bytes: messyCur2(), query: '?basis=net' });
      assert.equal(query.status, 400);
      assert.match(query.text, /basis/);
      const field = await uploadForm(server, tenant.apiKey, { bytes: messyCur2(), basis: 'net' });
      assert.equal(field.status, 400);
      assert.match(field.text, /"field":"basis"/);
      const json = await request(server.baseUrl, 'POST', '/v1/cost/import', { token: tenant.apiKey, body: { a: 1 } });
      assert.equal(json.status, 415);
      assert.deepEqual(spooled(), []);
      const list = await request<{ imports: unknown[] }>(server.baseUrl, 'GET', '/v1/cost/imports', {
        token: tenant.apiKey,
      });
      assert.deepEqual(list.body.imports, []);
    });

    it('refuses an upload over COST_IMPORT_MAX_BYTES with 413, streamed or declared, leaving nothing on disk', async () => {
      const tenant = await createTenant(server);
      // A chunked body with no length: stopped by the byte count once past the limit.
      async function* endless() {
        const line = Buffer.from(`${'x'.repeat(1023)}\n`);
        for (let i = 0; i < 4 * (MAX_BYTES / 1024); i += 1) yield line;
      }
      const streamed = await fetch(`${server.baseUrl}/v1/cost/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'text/csv' },
        body: ReadableStream.from(endless()),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      assert.match(await streamed.text(), /at most 65536 bytes/);
      const form = await uploadForm(server, tenant.apiKey, { bytes: Buffer.alloc(MAX_BYTES + 1, 'a') });
      assert.equal(form.status, 413);

      // A declared 2 GB body is refused before a byte of it is read.
      const declared = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server.baseUrl}/v1/cost/import`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tenant.apiKey}`,
            'content-type': 'application/gzip',
            'content-length': String(2 * 1024 ** 3),
          },
        });
        req.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', reject);
        req.write(Buffer.alloc(1024));
      });
      assert.equal(declared, 413);
      assert.deepEqual(spooled(), []);
    });

    it("answers another tenant's import exactly like a missing one, and lists only the tenant's own, newest first", async () => {
      const owner = await createTenant(server);
      const other = await createTenant(server);
      const first = await imported(owner.apiKey, { bytes: messyCur2() });
      const second = await imported(owner.apiKey, { bytes: legacyCur() });
      const foreign = await show(other.apiKey, first.id);
      const missing = await show(other.apiKey, 'imp_00000000000000000000000000000000');
      assert.equal(foreign.status, 404);
      const { request_id: _a, ...foreignBody } = foreign.body as unknown as Record<string, unknown>;
      const { request_id: _b, ...missingBody } = missing.body as unknown as Record<string, unknown>;
      assert.deepEqual(foreignBody, missingBody);
      const otherList = await request<{ imports: unknown[] }>(server.baseUrl, 'GET', '/v1/cost/imports', {
        token: other.apiKey,
      });
      assert.deepEqual(otherList.body.imports, []);
      const page1 = await request<{ imports: ImportViewType[]; next_cursor: string; has_more: boolean }>(
        server.baseUrl,
        'GET',
        '/v1/cost/imports?limit=1',
        { token: owner.apiKey },
      );
      assert.deepEqual([page1.body.imports.map((i) => i.id), page1.body.has_more], [[second.id], true]);
      const page2 = await request<{ imports: ImportViewType[]; has_more: boolean }>(
        server.baseUrl,
        'GET',
        `/v1/cost/imports?limit=1&cursor=${page1.body.next_cursor}`,
        { token: owner.apiKey },
      );
      assert.deepEqual([page2.body.imports.map((i) => i.id), page2.body.has_more], [[first.id], false]);
    });

    it('needs cost:write to import and cost:read to look', async () => {
      const tenant = await createTenant(server);
      const viewer = await createApiKey(server, tenant.customerId, 'viewer');
      const refused = await uploadRaw(server, viewer.key, { bytes: messyCur2() });
      assert.equal(refused.status, 403);
      const list = await request(server.baseUrl, 'GET', '/v1/cost/imports', { token: viewer.key });
      assert.equal(list.status, 200);
      assert.deepEqual(spooled(), []);
    });

    it('re-runs an import that crashed after writing its records, with the same records', async () => {
      const tenant = await createTenant(server);
      const accepted = await uploadRaw(server, tenant.apiKey, { bytes: messyCur2() });
      assert.equal(accepted.status, 202);
      // The first run writes every record, then loses its lease before it can record the outcome.
      const handler = importJobs({ db: server.database.db, clock, spool: importSpool(server.ctx.config.dataDir) })[
        IMPORT_JOB
      ]!;
      const payload: ImportJobPayload = { importId: accepted.body.id as never, customerId: tenant.customerId };
      const lost: JobContext = {
        db: server.database.db,
        signal: new AbortController().signal,
        workerId: 'crashed',
        now: clock,
        completeWithin: async () => {
          throw new LeaseLost('lease expired');
        },
      };
      await assert.rejects(
        handler({ id: 'job', name: IMPORT_JOB, payload, attempts: 1, maxAttempts: 5 }, lost),
        LeaseLost,
      );
      assert.equal((await show(tenant.apiKey, accepted.body.id)).body.status, 'running');
      assert.deepEqual((await recordsOf(tenant.customerId)).amounts, MESSY_CUR2_COSTS);
      // The queued job runs it again from the start.
      await runner.drain();
      const done = await show(tenant.apiKey, accepted.body.id);
      assert.equal(done.body.status, 'succeeded');
      assert.equal(done.body.rows_imported, 14);
      assert.deepEqual((await recordsOf(tenant.customerId)).amounts, MESSY_CUR2_COSTS);
      assert.deepEqual(spooled(), []);
    });

    it('sweeps spool files no waiting import will read, once they are a day old', async () => {
      const tenant = await createTenant(server);
      const waiting = await uploadRaw(server, tenant.apiKey, { bytes: messyCur2() });
      assert.equal(waiting.status, 202);
      const dir = join(server.ctx.config.dataDir, 'cost-imports');
      mkdirSync(dir, { recursive: true });
      const orphan = 'imp_0000000000000000000000000000abcd';
      const fresh = 'imp_0000000000000000000000000000abce';
      const dayAndMore = new Date(TEST_NOW.getTime() - 25 * 3_600_000);
      for (const name of [orphan, fresh]) writeFileSync(join(dir, name), 'a,b\n');
      for (const name of [orphan, waiting.body.id]) utimesSync(join(dir, name), dayAndMore, dayAndMore);
      const sweep = importJobs({ db: server.database.db, clock, spool: importSpool(server.ctx.config.dataDir) })[
        IMPORT_SPOOL_SWEEP_JOB
      ]!;
      await sweep(
        { id: 'job', name: IMPORT_SPOOL_SWEEP_JOB, payload: {}, attempts: 1, maxAttempts: 3 },
        {} as JobContext,
      );
      assert.deepEqual(spooled().sort(), [waiting.body.id, fresh].sort());
      await runner.drain();
      assert.equal((await show(tenant.apiKey, waiting.body.id)).body.status, 'succeeded');
      assert.deepEqual(spooled(), [fresh]);
      await importSpool(server.ctx.config.dataDir).remove(fresh as never);
    });
  });
}
