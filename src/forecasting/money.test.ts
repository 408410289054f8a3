import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMicros, parseDecimal, toMicros, ZERO } from './money.ts';

describe('money', () => {
  it('adds a million rows of 0.000001 to exactly 1', () => {
    let sum = ZERO;
    const one = parseDecimal('0.000001');
    assert.ok(one);
    for (let i = 0; i < 1_000_000; i += 1) sum = sum.plus(one);
    assert.equal(sum.toFixed(6), '1.000000');
    let micros = 0;
    for (let i = 0; i < 1_000_000; i += 1) micros += toMicros(one);
    assert.equal(formatMicros(micros), '1.000000');
  });

  it('parses plain and scientific decimals, refuses the rest', () => {
    assert.equal(parseDecimal('1.81E-8')?.toString(), '1.81e-8');
    assert.equal(parseDecimal(' -12.50 ')?.toFixed(2), '-12.50');
    assert.equal(parseDecimal('+1.5E+2')?.toString(), '150');
    assert.equal(parseDecimal(0.1)?.toString(), '0.1');
    for (const bad of ['', 'abc', '1,5', 'NaN', 'Infinity', '1e', '--1', '2e12'])
      assert.equal(parseDecimal(bad), null, bad);
    assert.equal(parseDecimal(Number.NaN), null);
  });

  it('rounds to micro-units half-even', () => {
    assert.equal(toMicros(parseDecimal('0.0000005')!), 0);
    assert.equal(toMicros(parseDecimal('0.0000015')!), 2);
    assert.equal(toMicros(parseDecimal('-2.5e-6')!), -2);
    assert.equal(formatMicros(-1_500_000), '-1.500000');
  });
});
