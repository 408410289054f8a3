import pg from 'pg';
import { JOB_WAKE_CHANNEL } from './enqueue.ts';
import type { JobLogger } from './types.ts';

/** A running LISTEN subscription; `close()` ends it. */
export interface WakeListener {
  close(): Promise<void>;
}

/**
 * Listens on PostgreSQL for "jobs enqueued" notifications in the given schema (a dedicated
 * connection: pooled ones cannot hold a LISTEN) and calls `onWake`. Reconnects after errors;
 * meanwhile the runner's idle polling still finds the work.
 */
export function listenForJobs(
  options: { connectionString: string; schema?: string | undefined; onWake: () => void; logger: JobLogger },
): WakeListener {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const current = new pg.Client({
      connectionString: options.connectionString,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    client = current;
    current.on('error', (error) => {
      options.logger.warn({ err: error }, 'job wake-up listener lost its connection');
      scheduleReconnect(current);
    });
    try {
      await current.connect();
      const result = await current.query<{ schema: string }>('select current_schema() as schema');
      const schema = result.rows[0]?.schema;
      current.on('notification', (message) => {
        if (message.channel === JOB_WAKE_CHANNEL && message.payload === schema) options.onWake();
      });
      await current.query(`LISTEN ${JOB_WAKE_CHANNEL}`);
      if (closed) await current.end();
      else options.onWake(); // anything enqueued while we were not listening
    } catch (error) {
      options.logger.warn({ err: error }, 'job wake-up listener could not connect');
      scheduleReconnect(current);
    }
  };

  const scheduleReconnect = (failed: pg.Client): void => {
    if (closed || client !== failed || retry) return;
    client = null;
    failed.end().catch(() => {});
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, 1_000);
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      if (current) await current.end().catch(() => {});
    },
  };
}
