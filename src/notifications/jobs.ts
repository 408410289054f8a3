/**
 * The notification feature's part of a worker: the rules processor on the outbox and the
 * retention sweep, built from the application context (`server/worker.ts` registers them).
 */
import type { EventProcessor } from '../events/processors.ts';
import type { JobHandler, PeriodicJob } from '../jobs/index.ts';
import type { AppContext } from '../runtime/context.ts';
import { emailPolicyOf } from './email/plan.ts';
import { notificationRulesProcessor } from './processor.ts';
import { notificationRetention, notificationRetentionSchedule } from './retention.ts';

/** The rules processor for `eventProcessors(ctx)`. */
export function notificationProcessors(ctx: AppContext): EventProcessor[] {
  return [
    notificationRulesProcessor({ clock: ctx.clock, liveFeed: ctx.liveFeed, emailPolicy: emailPolicyOf(ctx.config) }),
  ];
}

/** Job handlers of the feature for `combineJobHandlers`. */
export function notificationJobs(ctx: AppContext): Record<string, JobHandler> {
  return { ...notificationRetention(ctx.config.retentionDays.notifications) };
}

/** Periodic jobs of the feature. */
export const notificationPeriodicJobs: readonly PeriodicJob[] = notificationRetentionSchedule;
