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
  /**
   * True while every signal published from now on reaches this process's subscribers: always in
   * memory until closed; on PostgreSQL only while the LISTEN connection is up, so a subscriber that
   * must not miss a signal (the API key cache) can refuse to rely on it otherwise.
   */
  readonly listening: boolean;
  close(): Promise<void>;
}

/** The single-process feed (SQLite): an in-memory emitter. It never loses a signal. */
export function createMemoryLiveFeed(): LiveFeed {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let closed = false;
  return {
    publish: (_trx, channel, payload) => {
      emitter.emit(channel, payload);
      return Promise.resolve();
    },
    subscribe: (channel, listener) => {
      emitter.on(channel, listener);
      return () => emitter.off(channel, listener);
    },
    get listening() {
      return !closed;
    },
    close: () => {
      closed = true;
      emitter.removeAllListeners();
      return Promise.resolve();
    },
  };
}
