import type { AuthContext } from './auth-context.ts';
import type { ApiKeyId } from './tables.ts';

/**
 * How long a verified API key is trusted without reading it again. Changes made through the
 * service (a revocation) do not wait for it: they evict the key in every API process before its
 * next request (api-key-changes.ts). It bounds how long a change made beside the service (an
 * operator's SQL) goes unseen.
 */
export const API_KEY_CACHE_MS = 2_000;

/** Keys held at most; beyond it the oldest entry goes. */
const MAX_CACHED_KEYS = 10_000;

interface CachedKey {
  auth: AuthContext;
  expiresAt: string | null;
  verifiedAt: number;
}

/**
 * API keys verified recently, by key hash, so a busy integration costs one credential read every
 * {@link API_KEY_CACHE_MS} instead of one per request. Only valid keys are kept (an unknown key
 * is read every time, so guessing cannot fill memory). Expiry is still checked on every request.
 *
 * `hearsChanges` says whether every change to a key would reach `evict` now. While it is false
 * (the process's LISTEN connection is down) nothing is served from the cache and nothing is added:
 * every request reads its key. Whoever restores it calls `clear`, since changes made meanwhile
 * were never heard.
 */
export function createApiKeyCache(hearsChanges: () => boolean) {
  const entries = new Map<string, CachedKey>();
  // Bumped by every eviction: a lookup that began before a revocation must not cache what it read.
  let generation = 0;
  return {
    /** The caller of a key verified within the cache time and not expired at `now`, if any. */
    get(keyHash: string, now: Date): AuthContext | undefined {
      if (!hearsChanges()) return undefined;
      const entry = entries.get(keyHash);
      if (!entry) return undefined;
      if (now.getTime() - entry.verifiedAt >= API_KEY_CACHE_MS || now.getTime() < entry.verifiedAt) {
        entries.delete(keyHash);
        return undefined;
      }
      if (entry.expiresAt && entry.expiresAt <= now.toISOString()) return undefined;
      return entry.auth;
    },
    /** Where a lookup starts: pass it to `set`, which ignores the result if keys were evicted since. */
    generation: () => generation,
    set(keyHash: string, entry: CachedKey, startedAt: number): void {
      if (startedAt !== generation || !hearsChanges()) return;
      if (entries.size >= MAX_CACHED_KEYS) entries.delete(entries.keys().next().value as string);
      entries.set(keyHash, entry);
    },
    /** Forgets a key (revoked): the next request with it reads it again. */
    evict(id: ApiKeyId): void {
      generation += 1;
      for (const [hash, entry] of entries) if (entry.auth.credentialId === id) entries.delete(hash);
    },
    /** Forgets every key: changes may have gone unheard (the LISTEN connection was down). */
    clear(): void {
      generation += 1;
      entries.clear();
    },
  };
}

export type ApiKeyCache = ReturnType<typeof createApiKeyCache>;
