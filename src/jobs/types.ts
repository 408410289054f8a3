import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database/schema.ts';

/** A transaction or the plain handle: every write helper accepts the caller's transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** A job as its handler sees it; `attempts` counts this run (1 on the first). */
export interface ClaimedJob {
  id: string;
  name: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

/** What the runner gives a handler besides the job itself. */
export interface JobContext {
  /** The runner's database handle, for handlers that open their own transaction. */
  db: Kysely<Database>;
  /** Aborted when the lease is lost or the runner stops with jobs still running past its grace time. */
  signal: AbortSignal;
  workerId: string;
  now(): Date;
  /**
   * Deletes this job's row inside the caller's transaction, so the work and its completion commit
   * together (exactly-once effects). Throws LeaseLost when another worker holds the job now.
   * Jobs completed in one transaction in the same tick (`Promise.all`) share one DELETE.
   */
  completeWithin(trx: Transaction<Database>): Promise<void>;
}

/** Runs one job. Return normally: done (row deleted). Throw: retried with backoff, then dead. */
export type JobHandler = (job: ClaimedJob, ctx: JobContext) => Promise<void>;

/** Thrown by a handler to choose the next attempt's time itself (e.g. honouring Retry-After). */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  /**
   * @param delayMs how long from now until the next attempt
   * @param options.consumeAttempt false: this run does not count toward max_attempts
   */
  constructor(
    readonly delayMs: number,
    message = `retry in ${delayMs} ms`,
    readonly options: { consumeAttempt?: boolean } = {},
  ) {
    super(message);
  }
}

/** Thrown by a handler when retrying cannot help: the job goes straight to 'dead'. */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}

/** The job's lease expired and another worker claimed it; this run's result is discarded. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/** Delay before the next attempt, given the number of attempts made so far (1, 2, ...). */
export type Backoff = (attempt: number) => number;

/**
 * Exponential backoff `baseMs · 2^(attempt-1)` capped at `maxMs`; `random` (0..1) spreads
 * retries of jobs that failed together over the upper half of the delay when given.
 */
export function exponentialBackoff(baseMs = 1_000, maxMs = 3_600_000, random?: () => number): Backoff {
  return (attempt) => {
    const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return random ? Math.round(delay / 2 + (delay / 2) * random()) : delay;
  };
}

/**
 * Merges each feature's handler map into one, refusing a job name handled twice: each job name
 * has exactly one handler, checked when the worker is assembled.
 */
export function combineJobHandlers(...groups: Record<string, JobHandler>[]): Record<string, JobHandler> {
  const all: Record<string, JobHandler> = {};
  for (const group of groups) {
    for (const [name, handler] of Object.entries(group)) {
      if (Object.hasOwn(all, name)) throw new Error(`job '${name}' has two handlers`);
      all[name] = handler;
    }
  }
  return all;
}

/** The logging the runner needs; a pino logger fits. */
export interface JobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Discards everything. */
export const silentLogger: JobLogger = { info: () => {}, warn: () => {}, error: () => {} };
