import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Clock } from '../config/clock.ts';
import { systemClock } from '../config/clock.ts';
import { loadKeyRing } from '../crypto/key-ring.ts';
import { loadConfig } from '../config/config.ts';
import type { DialectName } from '../database/adapter.ts';
import { buildApp } from '../server/app.ts';
import { openLiveFeed } from '../server/runtime.ts';
import type { AppContext } from '../runtime/context.ts';
import { createIdentityService } from '../identity/service.ts';
import type { IdentityService } from '../identity/service.ts';
import type { ScryptParams } from '../identity/secrets.ts';
import { createTestDatabase } from './database.ts';
import type { TestDatabase } from './database.ts';

/**
 * Cheap scrypt parameters so the suite does not spend a second per password; the real ones are
 * covered by the identity tests. Hashes record their parameters, so both verify the same way.
 */
export const TEST_PASSWORD_HASHING: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

/** A real server on a random loopback port over a fresh database. */
export interface TestServer {
  baseUrl: string;
  app: FastifyInstance;
  ctx: AppContext;
  database: TestDatabase;
  identity: IdentityService;
  close(): Promise<void>;
}

/** Starts the whole app (every plugin, real HTTP) on 127.0.0.1:0. `env` overrides configuration. */
export async function startTestServer(
  dialect: DialectName,
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<TestServer> {
  const database = await createTestDatabase(dialect);
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_HOUR: 'standard=1000000,fintech=1000000,healthcare=1000000,government=1000000',
    ...database.env,
    ...options.env,
  });
  const clock = options.clock ?? systemClock;
  const logger = pino({ level: config.logLevel });
  const ctx: AppContext = {
    config,
    database,
    clock,
    logger,
    keyRing: loadKeyRing(config),
    liveFeed: openLiveFeed(config, logger),
    wakeWorkers: () => {},
  };
  const identity = createIdentityService({
    db: database.db,
    clock,
    sessionTtlHours: config.sessionTtlHours,
    liveFeed: ctx.liveFeed,
    passwordHashing: TEST_PASSWORD_HASHING,
  });
  const app = await buildApp(ctx, identity);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    ctx,
    database,
    identity,
    close: async () => {
      await app.close();
      await ctx.liveFeed.close();
      await database.destroy();
    },
  };
}
