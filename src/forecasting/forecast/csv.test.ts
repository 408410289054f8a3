import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, forecastCsv, toCsv } from './csv.ts';

describe('forecast CSV', () => {
  it('quotes fields with commas, quotes and line breaks, and leaves plain ones alone', () => {
    const cases: Array<[string | number | null, string]> = [
      ['2026-11', '2026-11'],
      ['Amazon EC2', 'Amazon EC2'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
      ['carriage\rreturn', '"carriage\rreturn"'],
      ['Zürich – € ✓', 'Zürich – € ✓'],
      ['', ''],
      [null, ''],
    ];
    for (const [value, expected] of cases) assert.equal(csvCell(value), expected, JSON.stringify(value));
  });

  it('guards text cells that a spreadsheet would run as a formula, never numbers', () => {
    const cases: Array<[string | number, string]> = [
      ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
      ['+1+1', "'+1+1"],
      ['-2+3', "'-2+3"],
      ['@cmd', "'@cmd"],
      ['\tTAB', "'\tTAB"],
      ['\rCR', `"'\rCR"`],
      ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
      ['a=b', 'a=b'],
      [-3.5, '-3.5'],
      [-0.01, '-0.01'],
      [1234567.89, '1234567.89'],
      [0, '0'],
      [Number.NaN, ''],
    ];
    for (const [value, expected] of cases) assert.equal(csvCell(value), expected, JSON.stringify(value));
  });

  it('writes rows with CRLF and the seed’s columns, negative changes as numbers', () => {
    assert.equal(
      toCsv([
        ['a', 1],
        ['b,c', null],
      ]),
      'a,1\r\n"b,c",\r\n',
    );
    const csv = forecastCsv({
      forecast: [
        {
          month: '2026-11',
          forecast_value: 100.5,
          lower_bound: 90,
          upper_bound: 110.25,
          month_over_month_change: -2.5,
        },
        { month: '2026-12', forecast_value: 101, lower_bound: 88, upper_bound: 115, month_over_month_change: null },
      ],
    });
    assert.equal(
      csv,
      'Month,Forecast,Lower Bound,Upper Bound,MoM Change\r\n2026-11,100.5,90,110.25,-2.5\r\n2026-12,101,88,115,\r\n',
    );
  });
});
