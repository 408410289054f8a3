import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_KEY_CACHE_MS, createApiKeyCache } from './api-key-cache.ts';
import type { AuthContext } from './auth-context.ts';
import type { ApiKeyId } from './tables.ts';

const auth = (id: string): AuthContext => ({
  kind: 'api_key',
  userId: null,
  customerId: 'c1',
  tier: 'standard',
  role: 'admin',
  isStaff: false,
  credentialId: id as ApiKeyId,
  permissions: new Set(),
  viaCookie: false,
});

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe('API key cache', () => {
  it('trusts a verified key for API_KEY_CACHE_MS, then reads it again', () => {
    const cache = createApiKeyCache();
    cache.set('h1', { auth: auth('k1'), expiresAt: null, verifiedAt: at(0).getTime() }, cache.generation());
    assert.equal(cache.get('h1', at(API_KEY_CACHE_MS - 1))?.credentialId, 'k1');
    assert.equal(cache.get('h1', at(API_KEY_CACHE_MS)), undefined);
    assert.equal(cache.get('h2', at(0)), undefined);
  });

  it('checks expiry on every hit', () => {
    const cache = createApiKeyCache();
    cache.set('h1', { auth: auth('k1'), expiresAt: at(10).toISOString(), verifiedAt: at(0).getTime() }, 0);
    assert.ok(cache.get('h1', at(9)));
    assert.equal(cache.get('h1', at(10)), undefined);
  });

  it('forgets a revoked key at once, and does not keep a lookup that began before the revocation', () => {
    const cache = createApiKeyCache();
    cache.set('h1', { auth: auth('k1'), expiresAt: null, verifiedAt: at(0).getTime() }, cache.generation());
    const lookupStarted = cache.generation();
    cache.evict('k1' as ApiKeyId);
    assert.equal(cache.get('h1', at(1)), undefined);
    cache.set('h1', { auth: auth('k1'), expiresAt: null, verifiedAt: at(1).getTime() }, lookupStarted);
    assert.equal(cache.get('h1', at(2)), undefined, 'the stale lookup was not cached');
  });
});
