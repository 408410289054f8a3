/**
 * The webhook feature's part of a worker: the fan-out processor, the delivery job handler and the
 * retention sweep, built from the application context (`server/worker.ts` registers them).
 */
import type { EventProcessor } from '../events/processors.ts';
import type { AppContext } from '../runtime/context.ts';
import type { JobHandler, PeriodicJob } from '../jobs/index.ts';
import { createDeliveryEngine } from './delivery.ts';
import type { DeliveryEngine, DeliveryOptions } from './delivery.ts';
import { webhookFanOut } from './fan-out.ts';
import { policyFromConfig } from './policy.ts';
import { webhookRetention, webhookRetentionSchedule } from './retention.ts';

/** The fan-out processor for `eventProcessors(ctx)`. */
export function webhookProcessors(ctx: AppContext): EventProcessor[] {
  return [webhookFanOut(ctx.clock)];
}

/** A delivery engine configured from the context; `overrides` serve tests and the benchmark. */
export function webhookDeliveryEngine(ctx: AppContext, overrides: Partial<DeliveryOptions> = {}): DeliveryEngine {
  const { webhooks } = ctx.config;
  return createDeliveryEngine({
    db: ctx.database.db,
    clock: ctx.clock,
    keyRing: ctx.keyRing,
    policy: policyFromConfig(webhooks),
    attemptTimeoutMs: webhooks.attemptTimeoutMs,
    connectTimeoutMs: webhooks.connectTimeoutMs,
    disableAfterFailingDays: webhooks.disableAfterFailingDays,
    logger: ctx.logger,
    onEnqueued: () => ctx.wakeWorkers(),
    ...overrides,
  });
}

/** Job handlers of the feature (delivery + retention) for `combineJobHandlers`. */
export function webhookJobs(
  ctx: AppContext,
  engine: DeliveryEngine = webhookDeliveryEngine(ctx),
): Record<string, JobHandler> {
  return { ...engine.handlers, ...webhookRetention(ctx.config.retentionDays.webhookDeliveries) };
}

/** Periodic jobs of the feature. */
export const webhookPeriodicJobs: readonly PeriodicJob[] = webhookRetentionSchedule;
