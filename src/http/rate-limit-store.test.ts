import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { pino } from 'pino';
import { manualClock } from '../config/clock.ts';
import { memoryWindowCounters } from '../rate-limits/counters.ts';
import type { WindowCounters } from '../rate-limits/counters.ts';
import { createLeasedQuota } from '../rate-limits/quota.ts';
import { leasedQuotaStore } from './rate-limit-store.ts';

/** A Fastify app limited to 2 requests an hour over the given counters; `logged` collects log messages. */
async function limitedApp(counters: WindowCounters) {
  const logged: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) });
  const app = Fastify();
  await app.register(rateLimit, {
    max: 2,
    timeWindow: '1 hour',
    enableDraftSpec: true,
    skipOnError: true,
    store: leasedQuotaStore(createLeasedQuota(counters, manualClock()), logger),
  });
  app.get('/', async () => 'ok');
  return { app, logged };
}

describe('the leased quota as the rate-limit store', () => {
  it('answers the RateLimit headers and 429 with Retry-After', async () => {
    const { app } = await limitedApp(memoryWindowCounters());
    const first = await app.inject('/');
    assert.equal(first.headers['ratelimit-limit'], '2');
    assert.equal(first.headers['ratelimit-remaining'], '1');
    assert.equal(first.headers['ratelimit-reset'], '3600');
    await app.inject('/');
    const refused = await app.inject('/');
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['retry-after'], '3600');
  });

  it('allows requests while the counters cannot be reached, logging once until they answer again', async () => {
    const working = memoryWindowCounters();
    let down = true;
    const { app, logged } = await limitedApp({
      ...working,
      add: (...args) => (down ? Promise.reject(new Error('connection refused')) : working.add(...args)),
    });
    for (let i = 0; i < 5; i += 1) assert.equal((await app.inject('/')).statusCode, 200);
    assert.deepEqual(logged, ['rate limit counters unavailable: allowing requests until they answer']);
    down = false;
    assert.equal((await app.inject('/')).headers['ratelimit-remaining'], '1');
    assert.equal(logged.at(-1), 'rate limit counters answer again');
  });
});
