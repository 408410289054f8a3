/** The durable job queue: enqueue inside your transaction, run with a JobRunner. */
export { jobBacklog } from './backlog.ts';
export type { JobBacklog } from './backlog.ts';
export { DEFAULT_MAX_ATTEMPTS, enqueueJob, enqueueJobs } from './enqueue.ts';
export type { NewJob } from './enqueue.ts';
export { JobRunner } from './runner.ts';
export type { JobRunnerOptions } from './runner.ts';
export type { PeriodicJob, PeriodicPayload } from './schedules.ts';
export { combineJobHandlers, exponentialBackoff, LeaseLost, PermanentFailure, RetryLater } from './types.ts';
export type { Backoff, ClaimedJob, Executor, JobContext, JobHandler, JobLogger } from './types.ts';
