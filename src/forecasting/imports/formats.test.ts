import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import { parseUsageStart } from './dates.ts';
import { chargeKindOf, detectFormat } from './formats.ts';
import type { ChargeKind } from './formats.ts';
import { CUR2_HEADER, FOCUS_HEADER, LEGACY_HEADER } from './testing/exports.ts';

function refusal(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('billing export formats', () => {
  it('detects each format from its header and maps its columns', () => {
    const cur2 = detectFormat([...CUR2_HEADER], undefined);
    assert.equal(cur2.format, 'cur2');
    assert.equal(cur2.basis, 'unblended');
    assert.equal(CUR2_HEADER[cur2.cost], 'line_item_unblended_cost');
    assert.deepEqual(
      cur2.service.map((i) => CUR2_HEADER[i]),
      ['line_item_product_code', 'product_servicecode', 'product_product_name'],
    );
    assert.equal(CUR2_HEADER[cur2.tagsJson], 'resource_tags');
    assert.equal(CUR2_HEADER[cur2.currency], 'line_item_currency_code');

    const legacy = detectFormat(LEGACY_HEADER, 'billed');
    assert.equal(legacy.format, 'cur_legacy');
    assert.equal(legacy.tagsJson, -1);
    assert.deepEqual(
      legacy.tagColumns.map((c) => c.key),
      ['user:team', 'user:Cost Center'],
    );

    const billed = detectFormat(FOCUS_HEADER, undefined);
    assert.equal(billed.format, 'focus');
    assert.equal(billed.basis, 'billed');
    assert.equal(FOCUS_HEADER[billed.cost], 'BilledCost');
    const effective = detectFormat(FOCUS_HEADER, 'effective');
    assert.equal(effective.basis, 'effective');
    assert.equal(FOCUS_HEADER[effective.cost], 'EffectiveCost');
  });

  it('matches names without BOM, surrounding spaces or case; FOCUS 1.0 Region stands in for RegionId', () => {
    const header = ['\uFEFF chargeperiodstart ', 'SERVICENAME', 'billedcost', ' SubAccountId', 'Region', 'Tags'];
    const map = detectFormat(header, undefined);
    assert.equal(map.format, 'focus');
    assert.deepEqual([map.date, map.service[0], map.cost, map.account, map.region[0]], [0, 1, 2, 3, 4]);
    assert.equal(map.kind, -1);
  });

  it('refuses an unknown header naming what each format lacks, the closest first', () => {
    const error = refusal(() =>
      detectFormat(['line_item_usage_start_date', 'line_item_product_code', 'cost', 'account'], undefined),
    );
    assert.equal(error.status, 422);
    assert.deepEqual(error.details.extra?.formats, [
      { format: 'cur2', missing: ['line_item_unblended_cost', 'line_item_usage_account_id', 'product_region_code'] },
      {
        format: 'cur_legacy',
        missing: [
          'lineItem/UsageStartDate',
          'lineItem/ProductCode or product/servicecode or product/ProductName',
          'lineItem/UnblendedCost',
          'lineItem/UsageAccountId',
          'product/region',
        ],
      },
      {
        format: 'focus',
        missing: ['ChargePeriodStart', 'ServiceName', 'BilledCost', 'SubAccountId', 'RegionId or Region'],
      },
    ]);
    assert.match(error.details.errors?.[0]?.message ?? '', /^AWS CUR 2\.0 lacks line_item_unblended_cost/);
  });

  it('names the effective cost column a FOCUS file lacks, and refuses the effective basis for CUR', () => {
    const header = FOCUS_HEADER.filter((name) => name !== 'EffectiveCost');
    assert.deepEqual(refusal(() => detectFormat(header, 'effective')).details.extra?.formats, [
      { format: 'focus', missing: ['EffectiveCost'] },
      {
        format: 'cur2',
        missing: [
          'line_item_usage_start_date',
          'line_item_product_code or product_servicecode or product_product_name',
          'line_item_unblended_cost',
          'line_item_usage_account_id',
          'product_region_code',
        ],
      },
      {
        format: 'cur_legacy',
        missing: [
          'lineItem/UsageStartDate',
          'lineItem/ProductCode or product/servicecode or product/ProductName',
          'lineItem/UnblendedCost',
          'lineItem/UsageAccountId',
          'product/region',
        ],
      },
    ]);
    const error = refusal(() => detectFormat([...CUR2_HEADER], 'effective'));
    assert.equal(error.status, 422);
    assert.equal(error.details.errors?.[0]?.field, 'basis');
  });

  it('classifies charge kinds of CUR line item types and FOCUS charge categories', () => {
    const cur = detectFormat([...CUR2_HEADER], undefined);
    const focus = detectFormat(FOCUS_HEADER, undefined);
    const cases: [typeof cur, string | undefined, ChargeKind][] = [
      [cur, 'Usage', 'usage'],
      [cur, 'DiscountedUsage', 'usage'],
      [cur, 'SavingsPlanCoveredUsage', 'usage'],
      [cur, 'SavingsPlanNegation', 'savings_plan_negation'],
      [cur, 'SavingsPlanUpfrontFee', 'commitment'],
      [cur, 'SavingsPlanRecurringFee', 'commitment'],
      [cur, 'RIFee', 'commitment'],
      [cur, 'Fee', 'fee'],
      [cur, 'Tax', 'tax'],
      [cur, 'Credit', 'credit'],
      [cur, 'Refund', 'refund'],
      [cur, 'EdpDiscount', 'discount'],
      [cur, 'BundledDiscount', 'discount'],
      [cur, 'SomethingNew', 'other'],
      [cur, '', 'usage'],
      [cur, undefined, 'usage'],
      [focus, 'Usage', 'usage'],
      [focus, 'Purchase', 'purchase'],
      [focus, 'tax', 'tax'],
      [focus, 'Credit', 'credit'],
      [focus, 'Adjustment', 'adjustment'],
      [focus, 'Rebate', 'other'],
    ];
    for (const [map, cell, kind] of cases) assert.equal(chargeKindOf(map, cell), kind, `${map.format} ${cell}`);
  });
});

describe('usage start days', () => {
  it('takes the UTC calendar day of every timestamp form exports use', () => {
    const cases: [string, string][] = [
      ['2026-10-01T00:00:00Z', '2026-10-01'],
      ['2026-10-01T23:59:59.999Z', '2026-10-01'],
      ['2026-10-01T13:00:00.000000Z', '2026-10-01'],
      ['2026-10-01 13:00:00', '2026-10-01'],
      ['2026-10-01 13:00', '2026-10-01'],
      ['2026-10-01', '2026-10-01'],
      ['2026-10-02T01:30:00+02:00', '2026-10-01'],
      ['2026-10-01T22:30:00-0230', '2026-10-02'],
      ['2026-10-01T22:30:00-03', '2026-10-02'],
      ['2026-10-01 22:00:00 UTC', '2026-10-01'],
      [' 2024-02-29T00:00:00Z ', '2024-02-29'],
    ];
    for (const [text, day] of cases) assert.equal(parseUsageStart(text)?.day, day, text);
    assert.equal(parseUsageStart('2026-10-01T00:00:00Z')?.epochMs, Date.parse('2026-10-01T00:00:00Z'));
  });

  it('refuses what is not a real date and time', () => {
    for (const text of [
      '',
      'yesterday',
      '2026-13-01',
      '2026-02-29T00:00:00Z',
      '2026-04-31',
      '2026-10-01T24:00:00Z',
      '2026-10-01T10:60:00Z',
      '01/10/2026',
      '2026-10-01T10:00:00Q',
      '20261001',
    ])
      assert.equal(parseUsageStart(text), null, text);
  });
});
