import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchLoader } from './batch-loader.ts';

describe('batchLoader', () => {
  it('loads keys asked for in one turn with one call, in chunks, and reports misses as undefined', async () => {
    const calls: string[][] = [];
    const load = batchLoader(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
    }, 3);
    const results = await Promise.all(['a', 'b', 'a', 'c', 'missing', 'd'].map(load));
    assert.deepEqual(results, ['A', 'B', 'A', 'C', undefined, 'D']);
    assert.deepEqual(calls, [
      ['a', 'b'],
      ['c', 'missing', 'd'],
    ]);
    assert.equal(await load('e'), 'E');
    assert.equal(calls.length, 3);
  });

  it('rejects every waiter of a failed load and recovers for the next turn', async () => {
    let fail = true;
    const load = batchLoader(async (keys) => {
      if (fail) throw new Error('down');
      return new Map(keys.map((k) => [k, k]));
    });
    const results = await Promise.allSettled([load('x'), load('y')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.equal(await load('x'), 'x');
  });
});
