import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../http/app.ts';
import { createProbes } from '../http/probes.ts';
import type { Probes } from '../http/probes.ts';
import { anomalyRoutes } from '../forecasting/anomalies/routes.ts';
import { budgetRoutes } from '../forecasting/budgets/routes.ts';
import { registerAuthentication } from '../identity/authenticate.ts';
import { importRoutes } from '../forecasting/imports/routes.ts';
import { identityRoutes } from '../identity/routes.ts';
import { createIdentityService } from '../identity/service.ts';
import type { IdentityService } from '../identity/service.ts';
import { notificationRoutes } from '../notifications/routes.ts';
import { notificationStreamRoutes } from '../notifications/stream/routes.ts';
import type { AppContext } from '../runtime/context.ts';
import { notificationEmailRoutes } from '../notifications/email/routes.ts';
import { notificationPreferenceRoutes } from '../notifications/preferences/routes.ts';
import { costRecordRoutes } from '../forecasting/records/routes.ts';
import { costForecastRoutes } from '../forecasting/forecast/routes.ts';
import { ticketRoutes } from '../tickets/routes.ts';
import { slaRoutes } from '../tickets/sla-routes.ts';
import { webhookRoutes } from '../webhooks/routes.ts';
import { registerPortal } from './portal.ts';

/**
 * The API process: HTTP conventions, authentication, every feature's routes under `/v1`, then the
 * portal at `/`.
 * `identity` lets the caller share its identity service (and so its login attempt counters);
 * `probes`, the readiness it drains on shutdown.
 */
export async function buildApp(
  ctx: AppContext,
  identity: IdentityService = createIdentityService({
    db: ctx.database.db,
    clock: ctx.clock,
    sessionTtlHours: ctx.config.sessionTtlHours,
    liveFeed: ctx.liveFeed,
  }),
  probes: Probes = createProbes(ctx.database.db),
): Promise<FastifyInstance> {
  const app = await buildHttpApp(ctx, {
    probes,
    registerAuthentication: (instance) => registerAuthentication(instance, identity),
    callerOf: (request) =>
      request.auth ? { credentialId: request.auth.credentialId, tier: request.auth.tier ?? 'standard' } : null,
  });
  await app.register(identityRoutes(ctx, identity), { prefix: '/v1' });
  await app.register(ticketRoutes(ctx), { prefix: '/v1' });
  await app.register(slaRoutes(ctx), { prefix: '/v1' });
  await app.register(webhookRoutes(ctx), { prefix: '/v1' });
  await app.register(budgetRoutes(ctx), { prefix: '/v1' });
  await app.register(anomalyRoutes(ctx), { prefix: '/v1' });
  await app.register(notificationPreferenceRoutes(ctx), { prefix: '/v1' });
  await app.register(notificationEmailRoutes(ctx), { prefix: '/v1' });
  await app.register(notificationRoutes(ctx), { prefix: '/v1' });
  await app.register(notificationStreamRoutes(ctx), { prefix: '/v1' });
  await app.register(costRecordRoutes(ctx), { prefix: '/v1' });
  await app.register(costForecastRoutes(ctx), { prefix: '/v1' });
  await app.register(importRoutes(ctx), { prefix: '/v1' });
  await registerPortal(app, ctx.logger);
  return app;
}
