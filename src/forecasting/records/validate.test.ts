import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBatch, type RecordInput } from './validate.ts';

const TODAY = '2026-11-28';
const record = (overrides: Partial<RecordInput> = {}): RecordInput => ({
  date: '2026-11-27',
  service: 'Amazon EC2',
  amount: '12.5',
  currency: 'USD',
  ...overrides,
});

function fieldsOf(records: RecordInput[], tenantCurrency: string | null = null) {
  const result = checkBatch(records, TODAY, tenantCurrency);
  return result.ok ? [] : result.errors.map((e) => e.field);
}

describe('cost record batch checks', () => {
  it('turns amounts into exact micro-units and trims keys', () => {
    const result = checkBatch(
      [
        record({ amount: '0.0000015', account_id: ' 1234 ', region: 'eu-west-1', tags: { team: 'a' } }),
        record({ amount: 1.81e-8, service: ' Amazon S3 ' }),
        record({ amount: '-3.25', date: '2026-11-29', service: 'Credits' }),
        record({ amount: '1E+3', date: '2024-02-29' }),
      ],
      TODAY,
      null,
    );
    assert.ok(result.ok);
    assert.equal(result.batch.currency, 'USD');
    assert.deepEqual(
      result.batch.rows.map((r) => [r.date, r.service, r.accountId, r.region, r.amountMicros]),
      [
        ['2026-11-27', 'Amazon EC2', '1234', 'eu-west-1', 2],
        ['2026-11-27', 'Amazon S3', '', '', 0],
        ['2026-11-29', 'Credits', '', '', -3_250_000],
        ['2024-02-29', 'Amazon EC2', '', '', 1_000_000_000],
      ],
    );
  });

  it('names each bad field by its position', () => {
    const cases: Array<[RecordInput, string]> = [
      [record({ date: '2026-02-30' }), 'records.1.date'],
      [record({ date: '2025-02-29' }), 'records.1.date'],
      [record({ date: '2026-13-01' }), 'records.1.date'],
      [record({ date: '2026-11-30' }), 'records.1.date'],
      [record({ date: '1999-12-31' }), 'records.1.date'],
      [record({ service: '   ' }), 'records.1.service'],
      [record({ amount: 'abc' }), 'records.1.amount'],
      [record({ amount: '1,5' }), 'records.1.amount'],
      [record({ amount: '' }), 'records.1.amount'],
      [record({ amount: '2e9' }), 'records.1.amount'],
      [record({ currency: 'EUR' }), 'records.1.currency'],
      [record({ currency: 'US1' }), 'records.1.currency'],
    ];
    for (const [bad, field] of cases) assert.deepEqual(fieldsOf([record(), bad]), [field], JSON.stringify(bad));
  });

  it('refuses a currency other than the tenant’s on every row that has it', () => {
    assert.deepEqual(fieldsOf([record(), record({ date: '2026-11-26' })], 'EUR'), [
      'records.0.currency',
      'records.1.currency',
    ]);
    assert.deepEqual(fieldsOf([record({ currency: 'eur' })], 'EUR'), []);
  });

  it('refuses the same key twice in one batch, naming both positions', () => {
    const result = checkBatch(
      [record(), record({ service: 'Amazon S3' }), record({ amount: '1' }), record({ account_id: 'other' })],
      TODAY,
      null,
    );
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors, [
      {
        field: 'records.2',
        message: 'has the same date, service, account_id and region as records.0; send one value per day',
      },
    ]);
  });

  it('reports at most 100 problems', () => {
    const records = Array.from({ length: 500 }, () => record({ amount: 'x' }));
    const result = checkBatch(records, TODAY, null);
    assert.equal(!result.ok && result.errors.length, 100);
  });
});
