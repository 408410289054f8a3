import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Database } from '../database/schema.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from './problem.ts';

/** A Prometheus registry per app instance (tests run several apps in one process). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'securebase_' });
  return registry;
}

/** A load balancer's probe must get an answer even when connecting to the database hangs. */
const READY_TIMEOUT_MS = 2_000;

/** True when `select 1` succeeds within the time limit. */
async function databaseAnswers(db: Kysely<Database>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
  const probe = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics`. */
export function registerObservability(app: FastifyInstance, db: Kysely<Database>, registry: Registry): void {
  const duration = new Histogram({
    name: 'securebase_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  const hide = { hide: true };
  app.get('/healthz', { config: { public: true }, schema: hide }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: hide }, async (_request, reply) => {
    if (await databaseAnswers(db, READY_TIMEOUT_MS)) return { status: 'ready' };
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return reply.code(503).send({ status: 'database unavailable' });
  });
  app.get('/metrics', { config: { public: true }, schema: hide }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
