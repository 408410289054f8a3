import { EventEmitter } from 'node:events';
import type { Executor } from '../jobs/types.ts';

/** Called with each signal's payload. */
export type LiveListener = (payload: string) => void;

/**
 * A small signal bus between processes: "something on this channel changed, read it". Payloads
 * are short (ids and sequence numbers, never the data itself: PostgreSQL NOTIFY caps them at 8 kB),
 * and a listener reads the rows it needs when woken.
 *
 * `publish` runs inside the writer's transaction. On PostgreSQL the signal is delivered only when
 * that transaction commits; in memory it is delivered at once, possibly before the commit, so a
 * listener that does not yet see the rows it was told about must look again shortly.
 */
export interface LiveFeed {
  publish(trx: Executor, channel: string, payload: string): Promise<void>;
  /**
   * Returns the function that unsubscribes. `onResume` runs whenever signals may have been lost
   * (the feed's connection came back, or was first established after this call): the subscriber
   * should re-read whatever it watches.
   */
  subscribe(channel: string, listener: LiveListener, onResume?: () => void): () => void;
  close(): Promise<void>;
}

/** The single-process feed (SQLite): an in-memory emitter. It never loses a signal. */
export function createMemoryLiveFeed(): LiveFeed {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (_trx, channel, payload) => {
      emitter.emit(channel, payload);
      return Promise.resolve();
    },
    subscribe: (channel, listener) => {
      emitter.on(channel, listener);
      return () => emitter.off(channel, listener);
    },
    close: () => {
      emitter.removeAllListeners();
      return Promise.resolve();
    },
  };
}
