import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Logger } from 'pino';
import type { LeasedQuota } from '../rate-limits/quota.ts';

/**
 * @fastify/rate-limit's store over a leased quota, so every API process on one database counts
 * against one limit. When the counters cannot be reached the request is allowed (the plugin's
 * skipOnError) and one warning is logged until they answer again: the rate limit shares capacity
 * fairly, it guards no secret, and refusing every caller during a database blip would turn the
 * blip into an outage of requests that may not need the database at all.
 */
export function leasedQuotaStore(quota: LeasedQuota, logger: Logger): FastifyRateLimitStoreCtor {
  let failing = false;
  return class LeasedQuotaStore implements FastifyRateLimitStore {
    incr(...[key, callback, timeWindow, max]: Parameters<FastifyRateLimitStore['incr']>): void {
      // The prefix keeps these keys apart from the login throttles' in the one table.
      quota.hit(`api:${key}`, max, timeWindow).then(
        (hit) => {
          if (failing) logger.info('rate limit counters answer again');
          failing = false;
          callback(null, { current: hit.current, ttl: hit.ttlMs });
        },
        (error: unknown) => {
          if (!failing)
            logger.warn({ err: error }, 'rate limit counters unavailable: allowing requests until they answer');
          failing = true;
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
