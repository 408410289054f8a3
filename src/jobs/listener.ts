import { listenOnPostgres } from '../database/listen.ts';
import type { PgListener } from '../database/listen.ts';
import { JOB_WAKE_CHANNEL } from './enqueue.ts';
import type { JobLogger } from './types.ts';

/** A running LISTEN subscription; `close()` ends it. */
export type WakeListener = PgListener;

/**
 * Listens on PostgreSQL for "jobs enqueued" notifications in the given schema and calls `onWake`.
 * While the connection is down the runner's polling still finds the work, and a wake-up after
 * (re)connecting covers anything enqueued while nobody listened.
 */
export function listenForJobs(options: {
  connectionString: string;
  schema?: string | undefined;
  onWake: () => void;
  logger: JobLogger;
}): WakeListener {
  return listenOnPostgres({
    connectionString: options.connectionString,
    schema: options.schema,
    channels: [JOB_WAKE_CHANNEL],
    name: 'job wake-up listener',
    logger: options.logger,
    onNotification: (_channel, payload, schema) => {
      if (payload === schema) options.onWake();
    },
    onConnected: options.onWake,
  });
}
