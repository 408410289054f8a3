import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_KEY_CACHE_MS, createApiKeyCache } from './api-key-cache.ts';
import type { ApiKeyId } from './tables.ts';
import { apiKeyAuth } from './testing/auth-contexts.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe('API key cache', () => {
  it('trusts a verified key for API_KEY_CACHE_MS, then reads it again', () => {
    const cache = createApiKeyCache(() => true);
    cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(0).getTime() }, cache.generation());
    assert.equal(cache.get('h1', at(API_KEY_CACHE_MS - 1))?.credentialId, 'k1');
    assert.equal(cache.get('h1', at(API_KEY_CACHE_MS)), undefined);
    assert.equal(cache.get('h2', at(0)), undefined);
  });

  it('checks expiry on every hit', () => {
    const cache = createApiKeyCache(() => true);
    cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: at(10).toISOString(), verifiedAt: at(0).getTime() }, 0);
    assert.ok(cache.get('h1', at(9)));
    assert.equal(cache.get('h1', at(10)), undefined);
  });

  it('forgets a revoked key at once, and does not keep a lookup that began before the revocation', () => {
    const cache = createApiKeyCache(() => true);
    cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(0).getTime() }, cache.generation());
    const lookupStarted = cache.generation();
    cache.evict('k1' as ApiKeyId);
    assert.equal(cache.get('h1', at(1)), undefined);
    cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(1).getTime() }, lookupStarted);
    assert.equal(cache.get('h1', at(2)), undefined, 'the stale lookup was not cached');
  });

  it('serves and keeps nothing while changes could go unheard, and forgets everything on `clear`', () => {
    let hearing = true;
    const cache = createApiKeyCache(() => hearing);
    cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(0).getTime() }, cache.generation());
    hearing = false;
    assert.equal(cache.get('h1', at(1)), undefined, 'a fresh entry is not trusted while deaf');
    cache.set('h2', { auth: apiKeyAuth('k2'), expiresAt: null, verifiedAt: at(1).getTime() }, cache.generation());
    const lookupStarted = cache.generation();
    hearing = true;
    assert.equal(cache.get('h2', at(2)), undefined, 'nothing was added while deaf');
    cache.clear();
    assert.equal(cache.get('h1', at(2)), undefined, 'what was cached before is gone');
    cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(2).getTime() }, lookupStarted);
    assert.equal(cache.get('h1', at(3)), undefined, 'a lookup that began before the clear is not kept');
    cache.set('h1', { auth: apiKeyAuth('k1'), expiresAt: null, verifiedAt: at(3).getTime() }, cache.generation());
    assert.equal(cache.get('h1', at(4))?.credentialId, 'k1', 'trusted again once hearing');
  });
});
