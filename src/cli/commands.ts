import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { listenDatabaseUrl } from '../config/config.ts';
import type { Config } from '../config/config.ts';
import { loadKeyRing } from '../crypto/key-ring.ts';
import { unwrapMasterKey } from '../crypto/kms-master-key.ts';
import { migrateToLatest } from '../database/migrations/index.ts';
import { claimSqliteDatabase } from '../database/sqlite-serving-lock.ts';
import type { SqliteServingLock } from '../database/sqlite-serving-lock.ts';
import { createProbes, startProbeServer } from '../http/probes.ts';
import type { Probes } from '../http/probes.ts';
import { createIdentityService } from '../identity/service.ts';
import { startAppMetricsPublisher } from '../server/app-metrics-publisher.ts';
import { openConfiguredDatabase, openRuntime } from '../server/runtime.ts';
import { coalescedWake, createWorker } from '../server/worker.ts';
import { DEMO_PASSWORD, DEMO_USERS, progressLine, seedDemo } from './demo.ts';
import { assertCanListen } from './listen-check.ts';
import { setupInstructions } from './setup-instructions.ts';

/** What the long-running roles share: the probe port and whether to migrate at start. */
export interface RoleOptions {
  /** Overrides HEALTH_PORT. */
  healthPort?: number | undefined;
  /** Do not migrate; refuse a schema that is not this release's. */
  skipMigrations: boolean;
}

/**
 * On SIGTERM or SIGINT: readiness turns to "draining" at once, then `stop` drains. The process
 * exits 0 once drained, 1 when draining failed or SHUTDOWN_TIMEOUT_MS passed first.
 */
function onShutdown(config: Config, logger: Logger, probes: Probes, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      probes.drain();
      logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'draining before exit');
      setTimeout(() => {
        logger.error({ deadlineMs: config.shutdownTimeoutMs }, 'the shutdown deadline passed; exiting undrained');
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      void stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'draining failed');
          process.exit(1);
        },
      );
    });
  }
}

/** The probe-only server, when a health port is configured. */
async function probeServer(config: Config, options: RoleOptions, probes: Probes): Promise<Server | null> {
  const port = options.healthPort ?? config.healthPort;
  return port === undefined ? null : startProbeServer(probes, port, config.host);
}

function closeServer(server: Server | null): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** On SQLite, the claim of the one long-running process; a second serve or worker is refused. */
function claimSqlite(config: Config): SqliteServingLock | null {
  return config.databaseUrl ? null : claimSqliteDatabase(config.dataDir);
}

/** `securebase serve`: API (and portal) plus, unless disabled, the job runner in one process. */
export async function runServe(
  config: Config,
  options: RoleOptions & { worker: boolean; demo: boolean; exitAfterDemo?: boolean },
): Promise<void> {
  if (!options.exitAfterDemo) await assertCanListen(config.host, config.port);
  const claim = options.exitAfterDemo ? null : claimSqlite(config);
  const ctx = await openRuntime(config, undefined, { migrate: !options.skipMigrations });
  const identity = createIdentityService({
    db: ctx.database.db,
    clock: ctx.clock,
    sessionTtlHours: config.sessionTtlHours,
    liveFeed: ctx.liveFeed,
  });
  const worker = options.worker ? createWorker(ctx) : null;
  if (worker) ctx.wakeWorkers = coalescedWake(worker);
  const probes = createProbes(ctx.database.db);
  // Loaded here so that `securebase worker` starts without the HTTP layer and every feature's routes.
  const { buildApp } = await import('../server/app.ts');
  const app = await buildApp(ctx, identity, probes);
  const baseUrl = config.publicUrl ?? `http://localhost:${config.port}`;

  const bootstrap = await identity.bootstrapPlatformAdmin();
  if (bootstrap) {
    console.log(`\nFirst start: created the platform admin ${bootstrap.user.email}.`);
    console.log(
      `Set its password once (the link works for 7 days):\n  ${setupInstructions(baseUrl, bootstrap.setupToken)}\n`,
    );
  }
  if (options.demo) {
    const progress = progressLine(process.stdout);
    if (await seedDemo(ctx, app, identity, progress.update)) progress.end();
  }
  if (options.exitAfterDemo) {
    console.log('Demo data is in place.');
    await app.close();
    await ctx.liveFeed.close();
    await ctx.database.close();
    return;
  }
  await worker?.start();
  await app.listen({ host: config.host, port: config.port });
  // From here a signal drains; the probe port answers only once it would.
  let probeOnly: Server | null = null;
  onShutdown(config, ctx.logger, probes, async () => {
    // Closing the app ends live streams (with a retry hint) and waits for requests in flight;
    // running jobs finish or are released meanwhile.
    await Promise.all([app.close(), worker?.stop()]);
    await closeServer(probeOnly);
    await ctx.liveFeed.close();
    await ctx.database.close();
    claim?.release();
  });
  probeOnly = await probeServer(config, options, probes);
  console.log(
    `SecureBase is serving on ${baseUrl}  (portal at /, API under /v1, reference at ${baseUrl}/docs, storage: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`})`,
  );
  if (options.demo) {
    console.log(
      `Open ${baseUrl}/login — demo logins (password "${DEMO_PASSWORD}"): customer owner ${DEMO_USERS.owner}, member ${DEMO_USERS.member}, viewer ${DEMO_USERS.viewer}, support agent ${DEMO_USERS.agent}`,
    );
    console.log(
      `  curl -X POST ${baseUrl}/v1/auth/login -H 'content-type: application/json' -d '{"email":"${DEMO_USERS.owner}","password":"${DEMO_PASSWORD}"}'`,
    );
  }
}

/** `securebase worker`: background jobs only; several may share one PostgreSQL. */
export async function runWorker(config: Config, options: RoleOptions): Promise<void> {
  const claim = claimSqlite(config);
  const ctx = await openRuntime(config, undefined, { migrate: !options.skipMigrations });
  const probes = createProbes(ctx.database.db);
  const worker = createWorker(ctx);
  await worker.start();
  // The stack grants the worker role alone to publish the app's metrics.
  const metrics = config.cloudwatchMetrics === 'emf' ? startAppMetricsPublisher(ctx) : null;
  let probeOnly: Server | null = null;
  onShutdown(config, ctx.logger, probes, async () => {
    metrics?.stop();
    await worker.stop();
    await closeServer(probeOnly);
    await ctx.liveFeed.close();
    await ctx.database.close();
    claim?.release();
  });
  probeOnly = await probeServer(config, options, probes);
  ctx.logger.info({ workerId: worker.workerId, healthPort: probeOnly?.address() }, 'worker started');
}

/**
 * `securebase migrate`: every pending migration in one transaction under the migration lock, or
 * none (a failure exits non-zero and changes nothing); a schema newer than the code is refused.
 */
export async function runMigrate(configured: Config): Promise<void> {
  const config = await unwrapMasterKey(configured);
  // The migration lock is a session advisory lock: one server session, never a pooling proxy.
  const database = openConfiguredDatabase({ ...config, databaseUrl: listenDatabaseUrl(config) });
  try {
    const applied = await migrateToLatest(database.db, { keyRing: () => loadKeyRing(config) });
    console.log(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await database.close();
  }
}
