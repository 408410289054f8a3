import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import type { DailyCost } from '../records/store.ts';
import { readBillingExport } from './reader.ts';
import type { ImportProgress, ReadOptions } from './reader.ts';
import {
  csvFile,
  csvLine,
  cur2Row,
  CUR2_HEADER,
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

const read = (bytes: Buffer | string, options: Partial<ReadOptions> = {}) =>
  readBillingExport(Readable.from([Buffer.from(bytes)]), { now: TEST_NOW, ...options });

const byKey = (costs: DailyCost[]) =>
  Object.fromEntries(costs.map((c) => [`${c.date}|${c.service}|${c.accountId}|${c.region}`, c.amountMicros]));

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('reading billing exports', () => {
  it('imports the messy CUR 2.0 file exactly and names each rejected row by line', async () => {
    const { costs, currency, report } = await read(messyCur2());
    assert.deepEqual(byKey(costs), MESSY_CUR2_COSTS);
    assert.equal(currency, 'USD');
    assert.deepEqual(report.rejected, MESSY_CUR2_REJECTED);
    assert.deepEqual(
      {
        format: report.format,
        basis: report.basis,
        rows_read: report.rows_read,
        rows_imported: report.rows_imported,
        rows_rejected: report.rows_rejected,
        rows_empty_cost: report.rows_empty_cost,
        first_date: report.first_date,
        last_date: report.last_date,
        days: report.days,
        records: report.records,
        total: report.total,
      },
      {
        format: 'cur2',
        basis: 'unblended',
        rows_read: 20,
        rows_imported: 14,
        rows_rejected: 6,
        rows_empty_cost: 1,
        first_date: '2026-10-01',
        last_date: '2026-10-02',
        days: 2,
        records: 8,
        total: '15.6400000181',
      },
    );
    assert.deepEqual(report.charge_kinds, {
      usage: '7.5900000181',
      tax: '0.4',
      credit: '-1',
      refund: '-0.25',
      savings_plan_negation: '-3',
      commitment: '12',
      discount: '-0.1',
    });
    // Tags: those every row of the day agrees on.
    const ec2 = costs.find((c) => c.date === '2026-10-01' && c.service === 'AmazonEC2' && c.region === 'us-east-1');
    assert.deepEqual(ec2?.tags, { user_team: 'web' });
  });

  it('gunzips by the magic bytes, whatever the name, with the same result', async () => {
    const plain = await read(messyCur2());
    const zipped = await read(gzip(messyCur2()));
    assert.deepEqual(zipped, plain);
  });

  it('imports a gzipped legacy CUR file with hourly rows rolled up and tag columns as tags', async () => {
    const { costs, report } = await read(gzip(legacyCur()));
    assert.deepEqual(byKey(costs), LEGACY_COSTS);
    assert.equal(report.format, 'cur_legacy');
    assert.equal(report.rows_imported, 26);
    assert.deepEqual(report.charge_kinds, { usage: '3', tax: '1.2', credit: '-0.5' });
    const tagsOf = (date: string) => costs.find((c) => c.date === date && c.service === 'AmazonS3')?.tags;
    assert.deepEqual(tagsOf('2026-10-01'), { 'user:team': 'data', 'user:Cost Center': 'cc-1' });
    assert.deepEqual(tagsOf('2026-10-02'), { 'user:team': 'data' });
  });

  it('imports FOCUS at the billed basis by default and at the effective basis when chosen', async () => {
    const billed = await read(focusFile());
    assert.deepEqual(byKey(billed.costs), FOCUS_COSTS.billed);
    assert.equal(billed.currency, 'EUR');
    assert.equal(billed.report.basis, 'billed');
    assert.deepEqual(billed.report.charge_kinds, {
      usage: '4',
      purchase: '100',
      tax: '2.1',
      credit: '-5',
      adjustment: '0.25',
    });
    assert.deepEqual(billed.costs.find((c) => c.service === 'Storage')?.tags, { env: 'prod', owner: 'a, b' });
    const effective = await read(focusFile(), { basis: 'effective' });
    assert.deepEqual(byKey(effective.costs), FOCUS_COSTS.effective);
    assert.equal(effective.report.charge_kinds.purchase, '0');
  });

  it("refuses rows in another currency than the tenant's, naming each", async () => {
    const { report } = await read(focusFile(), { currency: 'USD' });
    assert.equal(report.rows_imported, 0);
    assert.equal(report.rows_rejected, 6);
    assert.deepEqual(report.rejected[0], { line: 2, reason: "currency EUR differs from this import's currency USD" });
  });

  it('sums a million sub-micro amounts exactly before rounding once', async () => {
    const header = ['ChargePeriodStart', 'ServiceName', 'BilledCost', 'SubAccountId', 'RegionId'];
    async function* lines() {
      yield `${csvLine(header)}\n`;
      const row = '2026-11-01T00:00:00Z,Compute,0.0000001,a,r\n';
      for (let chunk = 0; chunk < 1000; chunk += 1) yield row.repeat(1000);
    }
    const { costs, currency, report } = await readBillingExport(Readable.from(lines()), { now: TEST_NOW });
    assert.equal(report.rows_imported, 1_000_000);
    assert.equal(report.total, '0.1');
    // No currency column and no tenant currency yet: AWS's default.
    assert.equal(currency, 'USD');
    assert.deepEqual(
      costs.map((c) => c.amountMicros),
      [100_000],
    );
  });

  it('reports progress in source bytes and rows', async () => {
    const bytes = gzip(legacyCur());
    const seen: ImportProgress[] = [];
    await read(bytes, { onProgress: (progress) => seen.push(progress) });
    assert.deepEqual(seen.at(-1)?.bytesRead, bytes.length);
    assert.ok(seen.length > 0);
  });

  it('keeps the first 100 rejected rows and counts the rest', async () => {
    const rows = Array.from({ length: 250 }, () => cur2Row({ line_item_unblended_cost: 'x' }));
    const { report } = await read(csvFile(CUR2_HEADER, rows));
    assert.equal(report.rows_rejected, 250);
    assert.equal(report.rejected.length, 100);
    assert.deepEqual(report.rejected[99], { line: 101, reason: 'line_item_unblended_cost is not a number: "x"' });
  });

  it('rejects a row with a different number of fields than the header', async () => {
    const text = `${csvLine([...CUR2_HEADER])}\n${csvLine(cur2Row({ line_item_unblended_cost: '1' }))}\na,b,c\n`;
    const { report } = await read(text);
    assert.deepEqual(report.rejected, [{ line: 3, reason: `has 3 fields; the header has ${CUR2_HEADER.length}` }]);
  });

  describe('refuses a file that cannot be imported, naming the problem', () => {
    const cases: [string, Buffer | string, number, RegExp][] = [
      ['an empty file', '', 422, /empty/],
      ['blank lines only', '\n\n\r\n', 422, /no header row/],
      ['a header only', `\uFEFF${csvLine([...CUR2_HEADER])}\n`, 422, /header but no rows/],
      ['an unknown format', 'date,amount\n2026-10-01,1\n', 422, /matches no known billing export/],
      ['a PNG image', PNG_BYTES, 415, /not CSV text: a PNG image/],
      ['NUL bytes inside text', Buffer.concat([Buffer.from('a,b\n'), Buffer.alloc(8)]), 415, /NUL byte at offset 4/],
      ['a truncated gzip', gzip(messyCur2()).subarray(0, 200), 422, /truncated or damaged gzip/],
      [
        'an unclosed quote',
        `${csvLine([...CUR2_HEADER])}\n"never closed,${'x'.repeat(2_000_000)}`,
        422,
        /not valid CSV/,
      ],
    ];
    for (const [name, bytes, status, message] of cases) {
      it(name, async () => {
        const error = await refusal(read(bytes));
        assert.equal(error.status, status);
        assert.match(error.message, message);
        assert.equal(error.details.errors?.[0]?.field, 'file');
      });
    }
  });
});
