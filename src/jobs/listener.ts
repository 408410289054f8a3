import pg from 'pg';
import { JOB_WAKE_CHANNEL } from './enqueue.ts';
import type { JobLogger } from './types.ts';

/** A running LISTEN subscription; `close()` ends it. */
export interface WakeListener {
  /** True while the LISTEN connection is up and subscribed. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/** Reconnect delays double from the first to the last while the server stays away. */
const RECONNECT_DELAYS_MS = { first: 250, max: 5_000 };

/**
 * Listens on PostgreSQL for "jobs enqueued" notifications in the given schema (a dedicated
 * connection: pooled ones cannot hold a LISTEN) and calls `onWake`. Reconnects after errors, with
 * a growing delay and one log line per outage; meanwhile the runner's polling still finds the work,
 * and a wake-up after reconnecting covers anything enqueued while nobody listened.
 */
export function listenForJobs(options: {
  connectionString: string;
  schema?: string | undefined;
  onWake: () => void;
  logger: JobLogger;
}): WakeListener {
  let client: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const current = new pg.Client({
      connectionString: options.connectionString,
      keepAlive: true,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    client = current;
    current.on('error', (error) => reconnectLater(current, error));
    // A connection the server closes without an error (e.g. idle session timeout) is lost all the same.
    current.on('end', () => reconnectLater(current, new Error('connection ended')));
    try {
      await current.connect();
      const result = await current.query<{ schema: string }>('select current_schema() as schema');
      const schema = result.rows[0]?.schema;
      current.on('notification', (message) => {
        if (message.channel === JOB_WAKE_CHANNEL && message.payload === schema) options.onWake();
      });
      await current.query(`LISTEN ${JOB_WAKE_CHANNEL}`);
      if (closed || client !== current) return;
      listening = true;
      if (failures > 0) options.logger.info({ failedAttempts: failures }, 'job wake-up listener reconnected');
      failures = 0;
      options.onWake(); // anything enqueued while we were not listening
    } catch (error) {
      reconnectLater(current, error);
    }
  };

  const reconnectLater = (failed: pg.Client, error: unknown): void => {
    if (closed || client !== failed) return;
    client = null;
    listening = false;
    failed.end().catch(() => {});
    if (failures === 0) options.logger.warn({ err: error }, 'job wake-up listener lost its connection; reconnecting');
    failures += 1;
    const delay = Math.min(RECONNECT_DELAYS_MS.max, RECONNECT_DELAYS_MS.first * 2 ** Math.min(failures - 1, 10));
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, delay);
  };

  void connect();
  return {
    get listening() {
      return listening;
    },
    close: async () => {
      closed = true;
      listening = false;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      if (current) await current.end().catch(() => {});
    },
  };
}
