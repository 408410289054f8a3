import { sql } from 'kysely';
import { listenOnPostgres } from '../database/listen.ts';
import type { ListenLogger, PgListener } from '../database/listen.ts';
import type { LiveFeed, LiveListener } from './live-feed.ts';

/** The one PostgreSQL channel every live-feed signal travels on; the feed's channel is in the payload. */
export const LIVE_FEED_CHANNEL = 'securebase_live';

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; the schema and channel prefix count. */
const MAX_NOTIFY_BYTES = 7_999;

interface Subscription {
  listener: LiveListener;
  onResume: (() => void) | undefined;
}

/**
 * The feed across processes (PostgreSQL). `publish` is a `pg_notify` in the writer's transaction,
 * so subscribers everywhere hear it when, and only if, the transaction commits; its payload starts
 * with the writer's schema and the feed channel, and subscribers ignore other schemas.
 * Every subscription of the process shares one dedicated LISTEN connection, opened at the first
 * subscription, reconnected after failures (subscribers then re-read: see `onResume`) and closed
 * when the last subscription ends.
 */
export function createPostgresLiveFeed(options: {
  connectionString: string;
  schema?: string | undefined;
  logger: ListenLogger;
}): LiveFeed {
  const subscriptions = new Map<string, Set<Subscription>>();
  let listener: PgListener | null = null;
  let closed = false;

  const deliver = (message: string, schema: string): void => {
    const schemaEnd = message.indexOf('\n');
    const channelEnd = message.indexOf('\n', schemaEnd + 1);
    if (schemaEnd < 0 || channelEnd < 0 || message.slice(0, schemaEnd) !== schema) return;
    const channel = message.slice(schemaEnd + 1, channelEnd);
    const payload = message.slice(channelEnd + 1);
    for (const subscription of subscriptions.get(channel) ?? []) subscription.listener(payload);
  };
  const resumeAll = (): void => {
    for (const set of subscriptions.values()) for (const subscription of set) subscription.onResume?.();
  };

  return {
    publish: async (trx, channel, payload) => {
      if (channel.includes('\n')) throw new Error(`live-feed channel ${JSON.stringify(channel)} contains a newline`);
      const bytes = Buffer.byteLength(payload) + Buffer.byteLength(channel) + 130;
      if (bytes > MAX_NOTIFY_BYTES) throw new Error(`live-feed payload of ${bytes} bytes exceeds the NOTIFY limit`);
      await sql`select pg_notify(${LIVE_FEED_CHANNEL}, current_schema() || ${'\n'} || ${channel} || ${'\n'} || ${payload})`.execute(
        trx,
      );
    },
    subscribe: (channel, onSignal, onResume) => {
      if (closed) throw new Error('the live feed is closed');
      const subscription: Subscription = { listener: onSignal, onResume };
      const set = subscriptions.get(channel) ?? new Set<Subscription>();
      set.add(subscription);
      subscriptions.set(channel, set);
      listener ??= listenOnPostgres({
        connectionString: options.connectionString,
        schema: options.schema,
        channels: [LIVE_FEED_CHANNEL],
        name: 'live feed listener',
        logger: options.logger,
        onNotification: (_channel, message, schema) => deliver(message, schema),
        onConnected: resumeAll,
      });
      // Already listening: nothing published before this call concerns the new subscriber.
      return () => {
        set.delete(subscription);
        if (set.size === 0) subscriptions.delete(channel);
        // The last subscriber gone (e.g. the app closed): the connection goes too, so it keeps no process alive.
        if (subscriptions.size === 0 && listener) {
          void listener.close();
          listener = null;
        }
      };
    },
    get listening() {
      return listener?.listening ?? false;
    },
    close: async () => {
      closed = true;
      subscriptions.clear();
      const current = listener;
      listener = null;
      await current?.close();
    },
  };
}
