import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addHits, grantedHits, leaseFrom, MAX_SLICE, retryAfterMs, sliceToLease, spend } from './window.ts';

const HOUR = 3600_000;

describe('rate-limit windows', () => {
  it('opens a window at the first hit and a new one at the first hit after it ends', () => {
    const first = addHits(null, 1, HOUR, 1000);
    assert.deepEqual(first, { count: 1, endsMs: 1000 + HOUR });
    assert.deepEqual(addHits(first, 5, HOUR, 1000 + HOUR - 1), { count: 6, endsMs: 1000 + HOUR });
    assert.deepEqual(addHits(first, 5, HOUR, 1000 + HOUR), { count: 5, endsMs: 1000 + 2 * HOUR });
  });

  it('holds a key back only while a full window lasts', () => {
    assert.equal(retryAfterMs(null, 3, 0), 0);
    assert.equal(retryAfterMs({ count: 2, endsMs: 500 }, 3, 100), 0);
    assert.equal(retryAfterMs({ count: 3, endsMs: 500 }, 3, 100), 400);
    assert.equal(retryAfterMs({ count: 9, endsMs: 500 }, 3, 500), 0);
  });

  it('leases a tenth of what remains, between 1 and MAX_SLICE', () => {
    assert.equal(sliceToLease(20_000, 0), MAX_SLICE);
    assert.equal(sliceToLease(1000, 0), 100);
    assert.equal(sliceToLease(1000, 900), 10);
    assert.equal(sliceToLease(1000, 995), 1);
    assert.equal(sliceToLease(3, 0), 1);
    assert.equal(sliceToLease(3, 7), 1, 'a stale count past the limit still asks, and the store refuses');
  });

  it('grants only the part of a lease below the limit', () => {
    assert.equal(grantedHits(10, 10, 100), 10);
    assert.equal(grantedHits(100, 10, 100), 10);
    assert.equal(grantedHits(104, 10, 100), 6);
    assert.equal(grantedHits(110, 10, 100), 0);
    assert.equal(grantedHits(150, 10, 100), 0);
  });

  it('spends leased hits locally, leases again when they run out, and refuses once the store did', () => {
    const now = 0;
    assert.deepEqual(spend(undefined, now), { kind: 'lease' });
    const lease = leaseFrom({ count: 30, endsMs: HOUR }, 10, 100);
    assert.deepEqual(lease, { tokens: 10, granted: 30, endsMs: HOUR, exhausted: false });
    assert.deepEqual(spend(lease, now), { kind: 'allowed', current: 21, ttlMs: HOUR });
    assert.deepEqual(spend({ ...lease, tokens: 1 }, now), { kind: 'allowed', current: 30, ttlMs: HOUR });
    assert.deepEqual(spend({ ...lease, tokens: 0 }, now), { kind: 'lease' });

    const last = leaseFrom({ count: 104, endsMs: HOUR }, 10, 100);
    assert.deepEqual(last, { tokens: 6, granted: 100, endsMs: HOUR, exhausted: true });
    assert.deepEqual(spend({ ...last, tokens: 0 }, HOUR - 1), { kind: 'refused', ttlMs: 1 });
    assert.deepEqual(spend({ ...last, tokens: 0 }, HOUR), { kind: 'lease' }, 'the next window is leased afresh');
  });
});
