import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import { memoryWindowCounters } from './counters.ts';
import type { WindowCounters } from './counters.ts';
import { createLeasedQuota } from './quota.ts';

const HOUR = 3600_000;

/** Memory counters that count the round trips made to them. */
function countedStore(): WindowCounters & { adds: number } {
  const inner = memoryWindowCounters();
  const store = {
    ...inner,
    adds: 0,
    add: (...args: Parameters<WindowCounters['add']>) => {
      store.adds += 1;
      return inner.add(...args);
    },
  };
  return store;
}

describe('leased quota', () => {
  it('answers one process exactly: current, the window left, then refusal until it ends', async () => {
    const clock = manualClock();
    const quota = createLeasedQuota(memoryWindowCounters(), clock);
    assert.deepEqual(await quota.hit('k', 3, HOUR), { allowed: true, current: 1, ttlMs: HOUR });
    clock.advance(1000);
    assert.deepEqual(await quota.hit('k', 3, HOUR), { allowed: true, current: 2, ttlMs: HOUR - 1000 });
    assert.deepEqual(await quota.hit('k', 3, HOUR), { allowed: true, current: 3, ttlMs: HOUR - 1000 });
    assert.deepEqual(await quota.hit('k', 3, HOUR), { allowed: false, current: 4, ttlMs: HOUR - 1000 });
    assert.equal((await quota.hit('other', 3, HOUR)).allowed, true, 'keys are apart');
    clock.advance(HOUR - 1000);
    assert.deepEqual(await quota.hit('k', 3, HOUR), { allowed: true, current: 1, ttlMs: HOUR });
  });

  it('goes to the store once per slice, and not at all for refusals', async () => {
    const store = countedStore();
    const quota = createLeasedQuota(store, manualClock());
    for (let i = 0; i < 1000; i += 1) assert.equal((await quota.hit('k', 1000, HOUR)).allowed, true, `hit ${i}`);
    const leases = store.adds;
    assert.ok(leases < 100, `${leases} leases for 1000 hits`);
    for (let i = 0; i < 50; i += 1) assert.equal((await quota.hit('k', 1000, HOUR)).allowed, false);
    assert.equal(store.adds, leases + 1, 'one lease finds the quota spent; the refusals after it stay local');
  });

  it('shares one lease among concurrent requests and allows exactly the limit', async () => {
    const store = countedStore();
    const quota = createLeasedQuota(store, manualClock());
    const hits = await Promise.all(Array.from({ length: 80 }, () => quota.hit('k', 50, HOUR)));
    assert.equal(hits.filter((hit) => hit.allowed).length, 50);
    assert.ok(store.adds < 40, `${store.adds} leases: waiters share one`);
  });

  it('refuses in one process what another leased and has not spent, by at most its slice', async () => {
    const counters = memoryWindowCounters();
    const clock = manualClock();
    const [busy, idle] = [createLeasedQuota(counters, clock), createLeasedQuota(counters, clock)];
    assert.equal((await idle.hit('k', 1000, HOUR)).allowed, true, 'idle leases 100 and spends 1');
    let allowed = 1;
    while ((await busy.hit('k', 1000, HOUR)).allowed) allowed += 1;
    assert.equal(allowed, 1000 - 99, 'the 99 hits idle holds are refused to busy');
    for (let i = 0; i < 99; i += 1) assert.equal((await idle.hit('k', 1000, HOUR)).allowed, true);
    assert.equal((await idle.hit('k', 1000, HOUR)).allowed, false);
  });

  it('rejects when the store cannot be reached, and leases again once it can', async () => {
    const inner = memoryWindowCounters();
    let down = true;
    const quota = createLeasedQuota(
      { ...inner, add: (...args) => (down ? Promise.reject(new Error('connection refused')) : inner.add(...args)) },
      manualClock(),
    );
    await assert.rejects(quota.hit('k', 10, HOUR), /connection refused/);
    down = false;
    assert.equal((await quota.hit('k', 10, HOUR)).allowed, true);
  });
});
