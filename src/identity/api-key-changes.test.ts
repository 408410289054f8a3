import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiveFeed, LiveListener } from '../realtime/live-feed.ts';
import { API_KEY_CHANGES_CHANNEL, apiKeyChanges } from './api-key-changes.ts';
import { apiKeyAuth } from './testing/auth-contexts.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

/** A feed whose connection the test drops and restores, as listenOnPostgres reports it. */
function controlledFeed() {
  const subscribers = new Map<string, { listener: LiveListener; onResume: (() => void) | undefined }>();
  let listening = false;
  const feed: LiveFeed = {
    get listening() {
      return listening;
    },
    publish: () => Promise.resolve(),
    subscribe(channel: string, listener: LiveListener, onResume?: () => void) {
      subscribers.set(channel, { listener, onResume });
      return () => subscribers.delete(channel);
    },
    close: () => Promise.resolve(),
  };
  return {
    feed,
    signal: (payload: string) => subscribers.get(API_KEY_CHANGES_CHANNEL)?.listener(payload),
    connect() {
      listening = true;
      subscribers.get(API_KEY_CHANGES_CHANNEL)?.onResume?.();
    },
    drop() {
      listening = false;
    },
    subscribed: () => subscribers.has(API_KEY_CHANGES_CHANNEL),
  };
}

/** Caches key k1 as a lookup would, and says whether the next request is served from the cache. */
function cacheAndCheck(changes: ReturnType<typeof apiKeyChanges>, ms: number): boolean {
  changes.cache.set(
    'h1',
    { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(ms).getTime() },
    changes.cache.generation(),
  );
  return changes.cache.get('h1', at(ms + 1)) !== undefined;
}

describe('API key changes across processes', () => {
  it('uses no cache until the process follows the changes over a connected feed', () => {
    const { feed, connect } = controlledFeed();
    const changes = apiKeyChanges(feed);
    connect();
    assert.equal(cacheAndCheck(changes, 0), false, 'connected, but not following');
    const stop = changes.follow();
    assert.equal(cacheAndCheck(changes, 10), true);
    stop();
    assert.equal(changes.cache.get('h1', at(12)), undefined, 'no longer following');
  });

  it('reads every key while the connection is down, and drops the whole cache when it is back', () => {
    const { feed, connect, drop, signal } = controlledFeed();
    const changes = apiKeyChanges(feed);
    changes.follow();
    assert.equal(cacheAndCheck(changes, 0), false, 'not yet connected');
    connect();
    assert.equal(cacheAndCheck(changes, 10), true);
    drop();
    assert.equal(changes.cache.get('h1', at(12)), undefined, 'down: the cached key is not trusted');
    assert.equal(cacheAndCheck(changes, 20), false, 'down: nothing is cached');
    // A revocation elsewhere now goes unheard; the reconnection must not bring the old entry back.
    const lookupStarted = changes.cache.generation();
    connect();
    assert.equal(changes.cache.get('h1', at(30)), undefined, 'the entry from before the outage is gone');
    changes.cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(30).getTime() }, lookupStarted);
    assert.equal(changes.cache.get('h1', at(31)), undefined, 'a read begun during the outage is not kept');
    assert.equal(cacheAndCheck(changes, 40), true, 'trusted again');
    signal('k1');
    assert.equal(changes.cache.get('h1', at(42)), undefined, 'an announced change evicts the key');
  });

  it('forgets, when it starts following again, what it cached before it stopped', () => {
    const { feed, connect, subscribed } = controlledFeed();
    const changes = apiKeyChanges(feed);
    const stop = changes.follow();
    connect();
    assert.equal(cacheAndCheck(changes, 0), true);
    stop();
    stop();
    assert.equal(subscribed(), false);
    // The feed stays connected (another subscriber holds it), so following again brings no resume.
    changes.follow();
    assert.equal(changes.cache.get('h1', at(2)), undefined);
  });
});
