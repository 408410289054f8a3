/**
 * Test wiring for webhook suites: a real server allowed to reach loopback receivers, a worker
 * (job runner with the real processors and handlers) woken in-process, and small helpers.
 */
import type { Clock } from '../../config/clock.ts';
import type { DialectName } from '../../database/adapter.ts';
import { DISPATCH_JOB } from '../../events/outbox.ts';
import { createEventDispatcher } from '../../events/processors.ts';
import { combineJobHandlers, JobRunner } from '../../jobs/index.ts';
import { eventProcessors } from '../../server/worker.ts';
import { createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import { waitFor } from '../../testing/wait.ts';
import type { TestServer } from '../../testing/server.ts';
import type { DeliveryEngine, DeliveryOptions } from '../delivery.ts';
import { DELIVER_JOB } from '../delivery-job.ts';
import { webhookDeliveryEngine, webhookJobs } from '../jobs.ts';
import type { EndpointId } from '../ids.ts';

/** Environment letting webhooks reach receivers on 127.0.0.1 over plain http. */
export const LOOPBACK_ENV = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8' };

/** A server plus an in-process worker. */
export interface WebhookHarness {
  server: TestServer;
  runner: JobRunner;
  engine: DeliveryEngine;
  close(): Promise<void>;
}

/** Starts server and worker; `engine` overrides delivery options (transport, random...). */
export async function startHarness(
  dialect: DialectName,
  options: { env?: Record<string, string>; clock?: Clock; engine?: Partial<DeliveryOptions>; leaseMs?: number } = {},
): Promise<WebhookHarness> {
  const server = await startTestServer(dialect, {
    env: { ...LOOPBACK_ENV, ...options.env },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const engine = webhookDeliveryEngine(server.ctx, options.engine);
  const runner = new JobRunner({
    handle: server.ctx.database,
    handlers: combineJobHandlers(createEventDispatcher(eventProcessors(server.ctx)), webhookJobs(server.ctx, engine)),
    clock: server.ctx.clock,
    pollIntervalMs: 10,
    concurrency: 64,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    stopGraceMs: 2_000,
  });
  server.ctx.wakeWorkers = () => runner.wake();
  await runner.start();
  return {
    server,
    runner,
    engine,
    close: async () => {
      await runner.stop();
      await engine.close();
      await server.close();
    },
  };
}

export { waitFor };

/**
 * Waits until no event dispatch or delivery is due by the server's clock: everything emitted so far
 * has been fanned out and every due attempt made. Lets a test assert that something did NOT happen
 * without sleeping and hoping the worker was quick enough.
 */
export async function waitForDueWork(server: TestServer, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () =>
      (
        await server.ctx.database.db
          .selectFrom('jobs')
          .select('id')
          .where('name', 'in', [DISPATCH_JOB, DELIVER_JOB])
          .where('run_at', '<=', server.ctx.clock().toISOString())
          .execute()
      ).length === 0,
    timeoutMs,
    'due dispatches and deliveries to finish',
  );
}

/** A tenant with one endpoint subscribed to `events`; returns ids, secret and the admin key. */
export async function tenantWithEndpoint(
  server: TestServer,
  url: string,
  events: string[] = ['*'],
  extra: Record<string, unknown> = {},
) {
  const tenant = await createTenant(server);
  const created = await request<{ webhook: { id: EndpointId }; secret: string }>(
    server.baseUrl,
    'POST',
    '/v1/webhooks',
    {
      token: tenant.apiKey,
      body: { url, events, ...extra },
    },
  );
  if (created.status !== 201) throw new Error(`creating the endpoint failed: ${created.status} ${created.text}`);
  return { ...tenant, webhookId: created.body.webhook.id, secret: created.body.secret };
}
