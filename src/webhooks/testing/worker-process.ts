// A worker process for the crash and race tests: the real event dispatcher (with the webhook
// fan-out) and delivery handlers over the database named by the environment, with a short lease.
import { loadConfig } from '../../config/config.ts';
import { createEventDispatcher } from '../../events/processors.ts';
import { combineJobHandlers, JobRunner } from '../../jobs/index.ts';
import type { JobHandler } from '../../jobs/index.ts';
import { DELIVER_JOB } from '../delivery-job.ts';
import { openRuntime } from '../../server/runtime.ts';
import { eventProcessors } from '../../server/worker.ts';
import { webhookDeliveryEngine, webhookJobs } from '../jobs.ts';

const ctx = await openRuntime(loadConfig(process.env));
const handlers = combineJobHandlers(
  createEventDispatcher(eventProcessors(ctx)),
  webhookJobs(
    ctx,
    webhookDeliveryEngine(
      ctx,
      process.env.MAX_IN_FLIGHT ? { maxInFlightPerEndpoint: Number(process.env.MAX_IN_FLIGHT) } : {},
    ),
  ),
);
// Reports how many delivery jobs this process completed, so a test can see that every worker took work.
let delivered = 0;
const deliver = handlers[DELIVER_JOB] as JobHandler;
handlers[DELIVER_JOB] = async (job, jobCtx) => {
  await deliver(job, jobCtx);
  delivered += 1;
};
setInterval(() => process.stdout.write(`DELIVERED ${delivered}\n`), 200).unref();
const runner = new JobRunner({
  handle: ctx.database,
  handlers,
  workerId: process.env.WORKER_ID ?? `child-${process.pid}`,
  leaseMs: Number(process.env.LEASE_MS ?? 30_000),
  pollIntervalMs: 10,
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 64),
  ...(ctx.config.databaseUrl
    ? { listen: { connectionString: ctx.config.databaseUrl, schema: ctx.config.databaseSchema } }
    : {}),
});
await runner.start();
process.stdout.write('READY\n');
process.on('SIGTERM', () => void runner.stop().then(() => process.exit(0)));
