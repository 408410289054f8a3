import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuGrowth, postgresCpuMicros } from './process-cpu.ts';

describe('cpuGrowth', () => {
  it('sums each process’s growth, counting a new process from zero and leaving out one that ended', () => {
    const before = new Map([
      [10, 1_000],
      [11, 5_000],
      [12, 9_000_000],
    ]);
    const after = new Map([
      [10, 1_500],
      [11, 5_000],
      [13, 250],
    ]);
    assert.equal(cpuGrowth(before, after), 750);
  });

  it('is never negative when busy processes end between the readings', () => {
    assert.equal(cpuGrowth(new Map([[1, 80_000_000]]), new Map([[2, 10]])), 10);
  });
});

describe('postgresCpuMicros', () => {
  it('reads a non-negative CPU time for each PostgreSQL process by pid', () => {
    for (const [pid, micros] of postgresCpuMicros()) {
      assert.ok(Number.isInteger(pid) && pid > 0);
      assert.ok(micros >= 0);
    }
  });
});
