import type { Config } from '../config/config.ts';
import { claimSqliteDatabase } from '../database/sqlite-serving-lock.ts';
import type { SqliteServingLock } from '../database/sqlite-serving-lock.ts';
import { createIdentityService } from '../identity/service.ts';
import { openRuntime } from '../server/runtime.ts';
import { coalescedWake, createWorker } from '../server/worker.ts';
import { DEMO_PASSWORD, DEMO_USERS, progressLine, seedDemo } from './demo.ts';
import { assertCanListen } from './listen-check.ts';
import { setupInstructions } from './setup-instructions.ts';

function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      void stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

/** On SQLite, the claim of the one long-running process; a second serve or worker is refused. */
function claimSqlite(config: Config): SqliteServingLock | null {
  return config.databaseUrl ? null : claimSqliteDatabase(config.dataDir);
}

/** `securebase serve`: API (and portal) plus, unless disabled, the job runner in one process. */
export async function runServe(
  config: Config,
  options: { worker: boolean; demo: boolean; exitAfterDemo?: boolean },
): Promise<void> {
  if (!options.exitAfterDemo) await assertCanListen(config.host, config.port);
  const claim = options.exitAfterDemo ? null : claimSqlite(config);
  const ctx = await openRuntime(config);
  const identity = createIdentityService({
    db: ctx.database.db,
    clock: ctx.clock,
    sessionTtlHours: config.sessionTtlHours,
  });
  const worker = options.worker ? createWorker(ctx) : null;
  if (worker) ctx.wakeWorkers = coalescedWake(worker);
  // Loaded here so that `securebase worker` starts without the HTTP layer and every feature's routes.
  const { buildApp } = await import('../server/app.ts');
  const app = await buildApp(ctx, identity);
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
  onShutdown(async () => {
    await app.close();
    await worker?.stop();
    await ctx.liveFeed.close();
    await ctx.database.close();
    claim?.release();
  });
}

/** `securebase worker`: background jobs only; several may share one PostgreSQL. */
export async function runWorker(config: Config): Promise<void> {
  const claim = claimSqlite(config);
  const ctx = await openRuntime(config);
  const worker = createWorker(ctx);
  await worker.start();
  ctx.logger.info({ workerId: worker.workerId }, 'worker started');
  onShutdown(async () => {
    await worker.stop();
    await ctx.liveFeed.close();
    await ctx.database.close();
    claim?.release();
  });
}

/** `securebase migrate`. */
export async function runMigrate(config: Config): Promise<void> {
  const ctx = await openRuntime(config);
  await ctx.liveFeed.close();
  await ctx.database.close();
  console.log('Database is up to date.');
}
