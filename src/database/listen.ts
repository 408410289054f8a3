import pg from 'pg';

/** What a listener logs: one line when its connection is lost, one when it is back. */
export interface ListenLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** A running LISTEN subscription; `close()` ends it. */
export interface PgListener {
  /** True while the LISTEN connection is up and subscribed. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/** Reconnect delays double from the first to the last while the server stays away. */
const RECONNECT_DELAYS_MS = { first: 250, max: 5_000 };

/**
 * LISTENs on PostgreSQL channels over one dedicated connection (pooled ones cannot hold a LISTEN)
 * and hands each notification to `onNotification` with the connection's own schema, so callers
 * whose senders put `current_schema()` into the payload can ignore other schemas sharing the
 * database (parallel test schemas, several installations).
 *
 * Reconnects after errors, with a growing delay and one log line per outage. Notifications sent
 * while nobody listened are lost: `onConnected` runs after every (re)connection, once the LISTEN
 * is in place, so the caller can look for what it may have missed.
 */
export function listenOnPostgres(options: {
  connectionString: string;
  schema?: string | undefined;
  channels: readonly string[];
  /** Names the listener in log lines. */
  name: string;
  onNotification(channel: string, payload: string, schema: string): void;
  onConnected(): void;
  logger: ListenLogger;
}): PgListener {
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
      const schema = result.rows[0]?.schema ?? '';
      current.on('notification', (message) => {
        if (client === current) options.onNotification(message.channel, message.payload ?? '', schema);
      });
      for (const channel of options.channels) await current.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (closed || client !== current) return;
      listening = true;
      if (failures > 0) options.logger.info({ failedAttempts: failures }, `${options.name} reconnected`);
      failures = 0;
      options.onConnected();
    } catch (error) {
      reconnectLater(current, error);
    }
  };

  const reconnectLater = (failed: pg.Client, error: unknown): void => {
    if (closed || client !== failed) return;
    client = null;
    listening = false;
    failed.end().catch(() => {});
    if (failures === 0) options.logger.warn({ err: error }, `${options.name} lost its connection; reconnecting`);
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
