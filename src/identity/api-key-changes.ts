import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import type { LiveFeed } from '../realtime/live-feed.ts';
import { createApiKeyCache } from './api-key-cache.ts';
import type { ApiKeyId } from './tables.ts';

/** The live-feed channel on which changes to API keys are announced; the payload is the key's id. */
export const API_KEY_CHANGES_CHANNEL = 'identity.api-keys';

/**
 * The API key cache of one identity service, kept current across every API process on the
 * database. Each change to a key (today its revocation: nothing else a cached auth context holds
 * can change through the service) runs through `runChange`, which announces it on the live feed
 * in the change's own transaction. On PostgreSQL that is a NOTIFY: when, and only if, the
 * transaction commits, PostgreSQL hands it to every process's LISTEN connection (signalled before
 * the writer even hears of the commit, so in practice it arrives before any request that follows
 * the change's response), and each process evicts the key: its next request reads it. The writer also
 * evicts its own copy once the commit returns (in memory, on SQLite, the signal comes before the
 * commit, so a lookup in between could cache the old row).
 *
 * The cache is trusted only while the process `follow`s the changes over a listening feed: while
 * the LISTEN connection is down every request reads its key, and each (re)connection drops the
 * whole cache, since nobody heard the signals sent meanwhile. A connection lost without a sign
 * (no RST) is the one gap left, bounded by API_KEY_CACHE_MS.
 */
export function apiKeyChanges(feed: LiveFeed) {
  let followers = 0;
  const cache = createApiKeyCache(() => followers > 0 && feed.listening);
  return {
    cache,

    /** Runs `work`, a change to key `id`, in one transaction that announces it; evicts the key here after the commit. */
    async runChange<T>(db: Kysely<Database>, id: ApiKeyId, work: (trx: Kysely<Database>) => Promise<T>) {
      const result = await db.transaction().execute(async (trx) => {
        const done = await work(trx);
        await feed.publish(trx, API_KEY_CHANGES_CHANNEL, id);
        return done;
      });
      cache.evict(id);
      return result;
    },

    /**
     * Starts evicting the keys other processes announce (an API process, for as long as it
     * serves); returns the function that stops. Until then the cache is not used.
     */
    follow(): () => void {
      followers += 1;
      // Changes made while nobody here followed went unheard.
      cache.clear();
      const unsubscribe = feed.subscribe(
        API_KEY_CHANGES_CHANNEL,
        (id) => cache.evict(id as ApiKeyId),
        () => cache.clear(),
      );
      let following = true;
      return () => {
        if (!following) return;
        following = false;
        followers -= 1;
        unsubscribe();
      };
    },
  };
}

export type ApiKeyChanges = ReturnType<typeof apiKeyChanges>;
