import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Config, Tier } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';
import { windowCountersFor } from '../rate-limits/counters.ts';
import { createLeasedQuota } from '../rate-limits/quota.ts';
import type { AppContext } from '../runtime/context.ts';
import { registerIdempotency } from './idempotency.ts';
import { createMetricsRegistry, registerObservability } from './observability.ts';
import { registerConditionalGet } from './conditional.ts';
import { registerNulGuard } from './nul-guard.ts';
import type { Probes } from './probes.ts';
import { isRateLimited, openApiOptions } from './openapi.ts';
import { leasedQuotaStore } from './rate-limit-store.ts';
import { registerErrorHandling } from './problem.ts';
import { registerRouteNotFound } from './routing.ts';
import { validatorCompiler } from './validation.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * TRUST_PROXY for Fastify. A hop count becomes "trust the nearest n addresses" (Fastify's own
 * number option now trusts nothing); addresses and CIDRs pass through to proxy-addr.
 */
function trustProxyOption(
  trust: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** Who is calling, as far as rate limits and idempotency need to know. */
export interface Caller {
  credentialId: string;
  tier: Tier;
}

/** How the composition plugs authentication into the HTTP conventions. */
export interface HttpAppOptions {
  /** Registers the hook that resolves each request's caller; it runs before rate limits and idempotency. */
  registerAuthentication(app: FastifyInstance): void;
  /** The caller of an authenticated request, or null on public routes. */
  callerOf(request: FastifyRequest): Caller | null;
  /** What `/livez` and `/readyz` answer; the process drains them on shutdown. */
  probes: Probes;
}

/**
 * Builds the HTTP application with the conventions of api.md (problem+json, validation,
 * idempotency, rate limits, request ids, OpenAPI, health and metrics); features register their
 * routes on it afterwards.
 */
export async function buildHttpApp(ctx: AppContext, options: HttpAppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    // Above the load balancer's idle timeout, so the balancer closes idle connections, never the
    // server under a request it is just sending (a 502 at the balancer).
    keepAliveTimeout: ctx.config.keepAliveTimeoutMs,
    // Per-request lines only when debugging; errors are logged by the error handler either way.
    logController: new LogController({
      disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace',
    }),
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false } },
  });
  // Above the keep-alive timeout: a connection idle up to keep-alive then sending headers is not cut.
  app.server.headersTimeout = ctx.config.keepAliveTimeoutMs + 1_000;
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);
  registerRouteNotFound(app);
  registerNulGuard(app);
  registerConditionalGet(app);

  await app.register(cookie);
  await app.register(helmet, { contentSecurityPolicy: false, global: true });
  if (ctx.config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: ctx.config.corsOrigins,
      credentials: true,
      exposedHeaders: [
        'x-request-id',
        'etag',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'retry-after',
      ],
    });
  }
  await app.register(swagger, openApiOptions(ctx.config));
  // The browsable reference is public, like the OpenAPI document it renders.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true };
  });
  // Before the first route: authentication refuses to register a route that declares no access.
  options.registerAuthentication(app);
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    enableDraftSpec: true,
    timeWindow: '1 hour',
    // One limit across every API process on the database; see rate-limits/quota.ts.
    store: leasedQuotaStore(createLeasedQuota(windowCountersFor(ctx.database.db), ctx.clock), ctx.logger),
    skipOnError: true,
    keyGenerator: (request) => options.callerOf(request)?.credentialId ?? request.ip,
    max: (request) => ctx.config.rateLimitPerHour[options.callerOf(request)?.tier ?? 'standard'],
    allowList: (request) => !isRateLimited(request.routeOptions.config, request.routeOptions.url),
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Rate limit of ${context.max} requests per ${context.after} exceeded`, {
        extra: { retry_after_seconds: Math.ceil(context.ttl / 1000) },
      }),
  });
  registerIdempotency(
    app,
    ctx.database.db,
    ctx.clock,
    ctx.keyRing,
    (request) => options.callerOf(request)?.credentialId,
  );
  registerObservability(app, options.probes, createMetricsRegistry(), ctx.config.metricsToken);

  app.get('/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
