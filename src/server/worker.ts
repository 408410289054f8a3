import { listenDatabaseUrl } from '../config/config.ts';
import { createEventDispatcher } from '../events/processors.ts';
import type { EventProcessor } from '../events/processors.ts';
import { runUnintercepted } from '../database/transaction-interceptor.ts';
import type { AppContext } from '../runtime/context.ts';
import { combineJobHandlers, JobRunner } from '../jobs/index.ts';
import { importJobs, importPeriodicJobs } from '../forecasting/imports/job.ts';
import { importSpool } from '../forecasting/imports/spool.ts';
import { housekeepingJobs, housekeepingSchedule } from './housekeeping.ts';
import { DAY_MS, ticketLifecycleJobs } from '../tickets/lifecycle.ts';
import { notificationJobs, notificationPeriodicJobs, notificationProcessors } from '../notifications/jobs.ts';
import { ticketRetention, ticketRetentionSchedule } from '../tickets/retention.ts';
import { emailJobs, emailPeriodicJobs, emailSender } from '../notifications/email/jobs.ts';
import { slaJobs } from '../tickets/sla-jobs.ts';
import { attachmentStore } from '../tickets/attachments/store.ts';
import { forecastRetention, forecastRetentionSchedule } from '../forecasting/forecast/retention.ts';
import { webhookJobs, webhookPeriodicJobs, webhookProcessors } from '../webhooks/jobs.ts';
import { costEvaluationJobs, costEvaluationPeriodicJobs } from '../forecasting/evaluation/jobs.ts';

/** Every event processor, in one list: each consumer of the outbox registers here. */
export function eventProcessors(ctx: AppContext): EventProcessor[] {
  return [...webhookProcessors(ctx), ...notificationProcessors(ctx)];
}

/**
 * How long running jobs may finish on shutdown: the shutdown deadline less a reserve for releasing
 * the unfinished ones and closing connections (a quarter, at most 5 s).
 */
export function jobGraceMs(shutdownTimeoutMs: number): number {
  return shutdownTimeoutMs - Math.min(5_000, Math.floor(shutdownTimeoutMs / 4));
}

/**
 * The job runner with every feature's handlers (each job name has exactly one handler;
 * `combineJobHandlers` refuses duplicates at start-up) and periodic jobs.
 */
export function createWorker(ctx: AppContext): JobRunner {
  const { config } = ctx;
  const email = emailSender(ctx);
  const listenUrl = listenDatabaseUrl(config);
  const runner = new JobRunner({
    handle: ctx.database,
    handlers: combineJobHandlers(
      createEventDispatcher(eventProcessors(ctx)),
      housekeepingJobs,
      ticketRetention(config.retentionDays.closedTickets, attachmentStore(config.dataDir)),
      ticketLifecycleJobs({ autoCloseMs: config.ticketAutoCloseDays * DAY_MS }),
      slaJobs,
      webhookJobs(ctx),
      emailJobs(email),
      notificationJobs(ctx),
      forecastRetention(config.retentionDays.costForecasts),
      importJobs({ db: ctx.database.db, clock: ctx.clock, spool: importSpool(config.dataDir) }),
      costEvaluationJobs,
    ),
    periodic: [
      ...housekeepingSchedule,
      ...ticketRetentionSchedule,
      ...webhookPeriodicJobs,
      ...emailPeriodicJobs,
      ...notificationPeriodicJobs,
      ...forecastRetentionSchedule,
      ...importPeriodicJobs,
      ...costEvaluationPeriodicJobs,
    ],
    concurrency: config.workerConcurrency,
    clock: ctx.clock,
    logger: ctx.logger,
    stopGraceMs: jobGraceMs(config.shutdownTimeoutMs),
    onStop: () => email.close(),
    ...(listenUrl ? { listen: { connectionString: listenUrl, schema: config.databaseSchema } } : {}),
  });
  return runner;
}

/**
 * The in-process wake-up for `ctx.wakeWorkers`: commits within a few milliseconds share one claim,
 * so a burst of requests costs one claim statement instead of one per request.
 */
export function coalescedWake(runner: JobRunner, delayMs = 2): () => void {
  let timer: NodeJS.Timeout | null = null;
  return () => {
    // The timer would inherit the calling request's context; the worker's transactions are its own.
    timer ??= runUnintercepted(() =>
      setTimeout(() => {
        timer = null;
        runner.wake();
      }, delayMs),
    );
  };
}
