import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Big from 'big.js';
import { parseDecimal } from '../money.ts';
import { ExactSum } from './exact-sum.ts';
import { seededRandom } from '../engine/stats.ts';

/** Decimal text of every shape exports write: plain with 0–14 decimals, signs, scientific, large. */
function decimalText(next: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
  const sign = ['', '-', '+'][Math.floor(next() * 3)]!;
  const shape = Math.floor(next() * 6);
  if (shape === 0)
    return `${sign}${1 + Math.floor(next() * 9)}.${digits(2)}E${next() < 0.5 ? '-' : '+'}${Math.floor(next() * 12)}`;
  if (shape === 1) return `${sign}.${digits(1 + Math.floor(next() * 14))}`;
  if (shape === 2) return `${sign}${digits(1 + Math.floor(next() * 9))}.`;
  return `${sign}${digits(1 + Math.floor(next() * 9))}.${digits(Math.floor(next() * 15))}`;
}

describe('exact sums of decimal cells', () => {
  it('equals big.js on generated cells of every shape, including carries and signs', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const next = seededRandom(seed);
      const sum = new ExactSum();
      let expected = new Big(0);
      for (let i = 0; i < 200; i += 1) {
        const text = decimalText(next);
        const parsed = parseDecimal(text);
        assert.equal(sum.addText(text), parsed !== null, text);
        if (parsed) expected = expected.plus(parsed);
      }
      assert.equal(sum.value().toFixed(), expected.toFixed(), `seed ${seed}`);
    }
  });

  it('refuses what parseDecimal refuses, adding nothing', () => {
    const sum = new ExactSum();
    for (const text of ['', '-', '+', '.', '-.', '1,5', '12.5.1', 'abc', '1e', '0x10', 'NaN', '2e12', '1234567890123'])
      assert.equal(sum.addText(text), false, text);
    assert.equal(sum.value().toFixed(), '0');
    assert.ok(sum.addText(' 1.5 '));
    assert.ok(sum.addText('999999999.999999999999'));
    assert.equal(sum.value().toFixed(), '1000000001.499999999999');
  });

  it('adds a million sub-micro cells exactly', () => {
    const sum = new ExactSum();
    for (let i = 0; i < 1_000_000; i += 1) sum.addText('0.0000001');
    assert.equal(sum.value().toFixed(), '0.1');
  });
});
