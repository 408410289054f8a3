import { pino } from 'pino';
import type { Logger } from 'pino';
import { systemClock } from '../config/clock.ts';
import { listenDatabaseUrl } from '../config/config.ts';
import type { Config } from '../config/config.ts';
import { loadKeyRing } from '../crypto/key-ring.ts';
import { unwrapMasterKey } from '../crypto/kms-master-key.ts';
import { openDatabase } from '../database/connection.ts';
import type { DatabaseHandle } from '../database/connection.ts';
import { assertSchemaCurrent, migrateToLatest } from '../database/migrations/index.ts';
import { createMemoryLiveFeed } from '../realtime/live-feed.ts';
import type { LiveFeed } from '../realtime/live-feed.ts';
import { createPostgresLiveFeed } from '../realtime/postgres-live-feed.ts';
import type { AppContext } from '../runtime/context.ts';

/** A JSON logger that never prints credentials, even if a header object is logged. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        '*.password',
        '*.secret',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}

/**
 * The signal bus of live streams: across processes over PostgreSQL (LISTEN/NOTIFY), in memory on
 * SQLite, where one process serves. Its owner closes it on shutdown.
 */
export function openLiveFeed(
  config: Pick<Config, 'databaseUrl' | 'databaseListenUrl' | 'databaseSchema'>,
  logger: Logger,
): LiveFeed {
  const connectionString = listenDatabaseUrl(config);
  return connectionString
    ? createPostgresLiveFeed({ connectionString, schema: config.databaseSchema, logger })
    : createMemoryLiveFeed();
}

/** The database the configuration names (PostgreSQL, or SQLite under the data directory). */
export function openConfiguredDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databaseSchema' | 'databasePoolSize'>,
): DatabaseHandle {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: config.databaseSchema,
    poolSize: config.databasePoolSize,
  });
}

/**
 * Opens the database, applies migrations (or, with `migrate: false`, refuses a schema that is not
 * exactly this release's: deployments that migrate as a separate step) and assembles the context
 * every process shares. Either way a schema newer than the code is refused, naming the migrations.
 */
export async function openRuntime(
  configured: Config,
  logger: Logger = createLogger(configured),
  options: { migrate: boolean } = { migrate: true },
): Promise<AppContext> {
  const config = await unwrapMasterKey(configured);
  const database = openConfiguredDatabase(config);
  const keyRing = loadKeyRing(config);
  try {
    if (options.migrate) {
      const applied = await migrateToLatest(database.db, { keyRing: () => keyRing });
      if (applied.length > 0) logger.info({ migrations: applied }, 'applied database migrations');
    } else await assertSchemaCurrent(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    config,
    database,
    clock: systemClock,
    logger,
    keyRing,
    liveFeed: openLiveFeed(config, logger),
    wakeWorkers: () => {},
  };
}
