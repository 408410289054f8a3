import { createHash, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Type } from 'typebox';
import type { Probes } from './probes.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from './problem.ts';
import { AppError, unauthenticated } from '../errors/app-error.ts';

/** A Prometheus registry per app instance (tests run several apps in one process). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'securebase_' });
  return registry;
}

/**
 * `/livez` (the process answers; `/healthz` is its older name), `/readyz` (see {@link Probes}) and
 * `/metrics`, which only a caller with `METRICS_TOKEN` may read: the metrics name every route and
 * its traffic.
 */
export function registerObservability(
  app: FastifyInstance,
  probes: Probes,
  registry: Registry,
  metricsToken: string | undefined,
): void {
  const duration = new Histogram({
    name: 'securebase_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const status = (description: string, example: string) =>
    Type.Object({ status: Type.String({ description, examples: [example] }) }, { description });
  const live = (url: string, operationId: string, summary: string) =>
    app.get(
      url,
      {
        config: { public: true },
        schema: {
          tags: ['operations'],
          operationId,
          summary,
          security: [],
          response: { 200: status('Always `ok` while the process serves requests', 'ok') },
        },
      },
      async () => ({ status: 'ok' }),
    );
  live('/livez', 'getLiveness', 'Liveness: the process answers');
  live('/healthz', 'getHealth', 'Liveness (the older name of /livez)');
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        operationId: 'getReadiness',
        summary:
          'Readiness: the database answers and has every migration of this release, and the process is not draining (503 otherwise)',
        security: [],
        response: {
          200: status('`ready` when the process can take requests', 'ready'),
          503: status('Why the process cannot serve requests now', 'database unavailable'),
        },
      },
    },
    async (_request, reply) => {
      const readiness = await probes.readiness();
      if (readiness.ready) return { status: 'ready' };
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return reply.code(503).send({ status: readiness.reason });
    },
  );
  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (needs the METRICS_TOKEN bearer token; 404 when METRICS_TOKEN is unset)',
        security: [{ metricsToken: [] }],
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: {
              'text/plain': { schema: Type.String({ description: 'Metrics in the Prometheus text format' }) },
            },
          },
        },
      },
    },
    async (request, reply) => {
      if (metricsToken === undefined)
        throw new AppError('not_found', 'Metrics are disabled: set METRICS_TOKEN to enable /metrics');
      if (!sameSecret(bearerOf(request.headers.authorization), metricsToken))
        throw unauthenticated('Send the METRICS_TOKEN as a bearer token');
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}

function bearerOf(header: string | undefined): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
}

/** Compares in constant time: equal-length digests, so neither content nor length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
