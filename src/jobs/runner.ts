import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../config/clock.ts';
import { systemClock } from '../config/clock.ts';
import { isDatabaseUnavailable } from '../database/availability.ts';
import type { DatabaseHandle } from '../database/connection.ts';
import { listenForJobs } from './listener.ts';
import type { WakeListener } from './listener.ts';
import { FailureBatcher } from './failures.ts';
import { claimJobs, completeJobs, hasClaimableJobs, releaseJobs, renewLeases } from './queue.ts';
import type { ClaimToken, JobRow } from './queue.ts';
import { CompletionBatcher } from './completions.ts';
import { describeError, failureOutcome } from './outcome.ts';
import { enqueueDuePeriodicJobs, ensureSchedules } from './schedules.ts';
import type { PeriodicJob } from './schedules.ts';
import { exponentialBackoff, LeaseLost, PermanentFailure, RetryLater, silentLogger } from './types.ts';
import type { Backoff, ClaimedJob, JobContext, JobHandler, JobLogger } from './types.ts';

/** How a runner is assembled; only `handle` and `handlers` are required. */
export interface JobRunnerOptions {
  handle: DatabaseHandle;
  /** One handler per job name (see `combineJobHandlers`). */
  handlers: Record<string, JobHandler>;
  periodic?: readonly PeriodicJob[];
  /**
   * Jobs running at once in this runner (default 64). The runner claims only as many jobs as it has
   * free slots: a claimed job never waits here while another worker could run it.
   */
  concurrency?: number;
  /**
   * A claim holds a job this long (default 15 s): a killed worker's jobs run elsewhere after at most
   * this. Renewed for all running jobs of the runner in one statement, a third of the way through.
   */
  leaseMs?: number;
  /** How often (real time) the runner looks for leases due for renewal (default: 1 s, at most leaseMs/3). */
  leaseCheckMs?: number;
  /** Idle polling period (default 50 ms); an idle poll is one read, no write lock. */
  pollIntervalMs?: number;
  /** Longest wait between claim attempts while the database is unreachable (default 5 s). */
  maxRetryDelayMs?: number;
  /** Delay after a failed attempt (default exponential, 1 s doubling to 1 h). */
  backoff?: Backoff;
  clock?: Clock;
  workerId?: string;
  logger?: JobLogger;
  /** PostgreSQL connection for LISTEN wake-ups; without it the runner relies on polling and wake(). */
  listen?: { connectionString: string; schema?: string | undefined };
  /**
   * How long stop() waits for running jobs (default 30 s); jobs still running then are released
   * (back to pending, due now, the attempt not counted) and their signals aborted.
   */
  stopGraceMs?: number;
  /**
   * Called at the end of stop(), once no handler runs: releases what the handlers share (the SMTP
   * pool). A runner whose resources are closed here is not started again.
   */
  onStop?: () => void | Promise<void>;
}

interface Running {
  claim: ClaimToken;
  controller: AbortController;
  leaseUntil: number;
  completed: boolean;
}

/** Default lease: long enough for a renewal round trip under load, short enough for a quick takeover. */
export const DEFAULT_LEASE_MS = 15_000;

/**
 * Runs durable jobs from the `jobs` table: claims batches under a lease, runs up to `concurrency`
 * handlers at once, deletes succeeded jobs in batches, reschedules failures with backoff, buries
 * jobs after max_attempts, enqueues periodic jobs. Several runners (processes) can share a queue.
 *
 * @example
 * const runner = new JobRunner({ handle, handlers: combineJobHandlers(webhookJobs, emailJobs) });
 * await runner.start();
 * // ... on shutdown
 * await runner.stop();
 */
export class JobRunner {
  /** This runner's identity in `locked_by`. */
  readonly workerId: string;
  private readonly handlers: Map<string, JobHandler>;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly logger: JobLogger;
  /** Every job this runner holds a lease on. */
  private readonly running = new Map<string, Running>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly completions: CompletionBatcher;
  private readonly failures: FailureBatcher;
  private pumpQueued = false;
  private started = false;
  private claiming: Promise<void> | null = null;
  private again = false;
  private idle = false;
  private backlog = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private listener: WakeListener | null = null;
  /** Claim cycles failed in a row; while non-zero the runner waits longer between attempts. */
  private failedCycles = 0;
  private renewing = false;
  private renewFailing = false;
  private nextScheduleCheck = 0;
  private schedulesReady = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.handlers = new Map(Object.entries(options.handlers));
    this.concurrency = options.concurrency ?? 64;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.backoff = options.backoff ?? exponentialBackoff();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.completions = new CompletionBatcher(options.handle.db, this.workerId, this.logger);
    this.failures = new FailureBatcher(options.handle.db, this.workerId);
    for (const periodic of options.periodic ?? []) {
      if (!this.handlers.has(periodic.name)) throw new Error(`periodic job '${periodic.name}' has no handler`);
    }
  }

  /** Checks queued job names against the handlers, creates schedules, and starts claiming. */
  async start(): Promise<void> {
    if (this.started) return;
    const { db } = this.options.handle;
    const names = await db.selectFrom('jobs').select('name').distinct().where('status', '!=', 'dead').execute();
    const unknown = names.map((row) => row.name).filter((name) => !this.handlers.has(name));
    if (unknown.length > 0)
      this.logger.warn({ jobs: unknown }, 'queued jobs have no handler here; they will be marked dead');
    await this.checkSchedules(true);
    this.started = true;
    if (this.options.listen) {
      this.listener = listenForJobs({ ...this.options.listen, onWake: () => this.wake(), logger: this.logger });
    }
    const leaseCheckMs = this.options.leaseCheckMs ?? Math.min(1_000, Math.floor(this.leaseMs / 3));
    this.renewTimer = setInterval(() => void this.renew(), Math.max(10, leaseCheckMs));
    this.pump();
  }

  /**
   * Stops claiming and waits up to the grace time for running jobs. Jobs still running then are
   * released at once, so another worker takes them without waiting for the lease to expire, and
   * their signals are aborted (a late result is discarded: the job is no longer held here).
   * Resolves with the ids released.
   */
  async stop(): Promise<string[]> {
    if (!this.started) return [];
    this.started = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    await this.listener?.close();
    this.listener = null;
    await this.claiming;
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>(
      (resolve) => (graceTimer = setTimeout(resolve, this.options.stopGraceMs ?? 30_000, 'timeout')),
    );
    const outcome = await Promise.race([Promise.all(this.tasks), grace]);
    clearTimeout(graceTimer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    let released: string[] = [];
    if (outcome === 'timeout') {
      const unfinished = [...this.running.values()].filter((job) => !job.completed);
      released = await this.release(unfinished);
      for (const job of this.running.values()) job.controller.abort(new LeaseLost('runner stopping; job released'));
    }
    await this.completions.flush();
    await this.options.onStop?.();
    return released;
  }

  /** Releases the leases of unfinished jobs; on a database error they are taken over when the leases expire. */
  private async release(jobs: Running[]): Promise<string[]> {
    if (jobs.length === 0) return [];
    try {
      const released = await releaseJobs(
        this.options.handle.db,
        this.workerId,
        jobs.map((job) => job.claim),
        this.clock(),
      );
      this.logger.info({ jobs: released }, 'released the leases of jobs unfinished at shutdown');
      return released;
    } catch (error) {
      this.logger.warn({ err: error }, 'releasing unfinished jobs failed; their leases expire instead');
      return [];
    }
  }

  /** True while the PostgreSQL LISTEN connection for wake-ups is up (always false without `listen`). */
  get listening(): boolean {
    return this.listener?.listening ?? false;
  }

  /** Claims now instead of at the next poll: call after enqueueing in this process. */
  wake(): void {
    this.idle = false;
    if (!this.started) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.pump();
  }

  /**
   * One claim-and-run cycle without start(): enqueues due periodic jobs, claims up to
   * `concurrency`, runs them, records results. Returns how many jobs ran. For tests and CLIs.
   */
  async runOnce(): Promise<number> {
    await this.checkSchedules(true);
    const rows = await this.claim(this.concurrency);
    for (const row of rows) this.launch(row);
    while (this.tasks.size > 0) await Promise.all(this.tasks);
    await this.completions.flush();
    return rows.length;
  }

  /** Runs cycles until a claim finds nothing; returns the total number of jobs run. */
  async drain(): Promise<number> {
    let total = 0;
    for (let ran = await this.runOnce(); ran > 0; ran = await this.runOnce()) total += ran;
    return total;
  }

  /** Coalesces the slots freed in one turn of the event loop into one claim. */
  private pumpSoon(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.started) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    const free = this.concurrency - this.running.size;
    if (free <= 0) return; // a finishing job pumps again
    this.again = false;
    this.claiming = this.cycle(free).finally(() => {
      this.claiming = null;
      if (this.failedCycles > 0) this.schedulePoll(this.retryDelay());
      else if (this.again || (this.backlog && this.running.size < this.concurrency)) this.pump();
      else if (this.idle || !this.backlog) this.schedulePoll(this.pollIntervalMs);
    });
  }

  private schedulePoll(delayMs: number): void {
    if (!this.started || this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.pump();
    }, delayMs);
  }

  /** Doubles from the poll interval with each failed cycle, up to maxRetryDelayMs. */
  private retryDelay(): number {
    return Math.min(this.maxRetryDelayMs, this.pollIntervalMs * 2 ** Math.min(this.failedCycles, 20));
  }

  private async cycle(free: number): Promise<void> {
    try {
      await this.checkSchedules(false);
      if (this.idle && !this.again && !(await hasClaimableJobs(this.options.handle.db, this.clock()))) {
        this.recovered();
        return;
      }
      const rows = await this.claim(free);
      this.idle = rows.length === 0;
      this.backlog = rows.length === free;
      for (const row of rows) this.launch(row);
      this.recovered();
    } catch (error) {
      this.idle = true;
      this.backlog = false;
      this.failedCycles += 1;
      // One line per outage, not one per poll: the runner keeps retrying with a growing delay.
      if (this.failedCycles === 1) {
        const reason = isDatabaseUnavailable(error) ? 'the database is unavailable' : 'claiming jobs failed';
        this.logger.error({ err: error }, `${reason}; retrying with backoff`);
      }
    }
  }

  private recovered(): void {
    if (this.failedCycles === 0) return;
    this.logger.info({ failedAttempts: this.failedCycles }, 'claiming jobs works again; job runner resumed');
    this.failedCycles = 0;
  }

  private async checkSchedules(force: boolean): Promise<void> {
    const periodic = this.options.periodic ?? [];
    const now = this.clock();
    if (periodic.length === 0 || (!force && now.getTime() < this.nextScheduleCheck)) return;
    if (!this.schedulesReady) {
      await ensureSchedules(this.options.handle.db, periodic, now);
      this.schedulesReady = true;
    }
    const next = await enqueueDuePeriodicJobs(this.options.handle.db, periodic, now);
    this.nextScheduleCheck = Math.min(next?.getTime() ?? Infinity, now.getTime() + 60_000);
  }

  private claim(limit: number): Promise<JobRow[]> {
    const { db, adapter } = this.options.handle;
    return claimJobs(db, adapter, { workerId: this.workerId, limit, now: this.clock(), leaseMs: this.leaseMs });
  }

  /** Starts a claimed job at once: claims never exceed the free slots. */
  private launch(row: JobRow): void {
    const entry: Running = {
      claim: { id: row.id, attempts: row.attempts },
      controller: new AbortController(),
      leaseUntil: this.clock().getTime() + this.leaseMs,
      completed: false,
    };
    this.running.set(row.id, entry);
    const task = this.execute(row, entry).finally(() => {
      this.running.delete(row.id);
      this.tasks.delete(task);
      if (this.backlog || this.again) this.pumpSoon();
    });
    this.tasks.add(task);
  }

  private async execute(row: JobRow, entry: Running): Promise<void> {
    const ctx: JobContext = {
      db: this.options.handle.db,
      signal: entry.controller.signal,
      workerId: this.workerId,
      now: this.clock,
      completeWithin: async (trx) => {
        if ((await completeJobs(trx, this.workerId, [entry.claim])) !== 1)
          throw new LeaseLost(`job ${row.id} is no longer held by ${this.workerId}`);
        entry.completed = true;
      },
    };
    try {
      const handler = this.handlers.get(row.name);
      if (!handler) throw new PermanentFailure(`no handler registered for job '${row.name}'`);
      let payload: unknown;
      try {
        payload = JSON.parse(row.payload);
      } catch {
        throw new PermanentFailure('payload is not valid JSON');
      }
      const job: ClaimedJob = {
        id: row.id,
        name: row.name,
        payload,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
      };
      await handler(job, ctx);
      if (!entry.completed) this.completions.add(entry.claim);
    } catch (error) {
      await this.recordFailure(row, entry, error);
    }
  }

  private async recordFailure(row: JobRow, entry: Running, error: unknown): Promise<void> {
    const message = describeError(error);
    const log = { job: row.id, name: row.name, attempts: row.attempts, error: message };
    if (error instanceof LeaseLost || entry.controller.signal.reason instanceof LeaseLost) {
      this.logger.warn(log, 'job lease was lost; its result is discarded');
      return;
    }
    const now = this.clock();
    const outcome = failureOutcome(error, row.attempts, row.max_attempts, this.backoff, now);
    if (outcome.kind === 'dead') this.logger.error(log, 'job failed permanently');
    // A job that failed because the database went away is retried like any other; the outage itself
    // is logged once by the claim loop, not once per job that was running when it began.
    else if (isDatabaseUnavailable(error)) this.logger.info(log, 'job failed: the database is unavailable; will retry');
    else if (!(error instanceof RetryLater)) this.logger.warn(log, 'job failed; will retry');
    try {
      await this.failures.record(entry.claim, outcome, message, now);
    } catch (dbError) {
      // During an outage the claim loop has said so once; the lease expires and the job runs again.
      if (!isDatabaseUnavailable(dbError)) {
        this.logger.error({ ...log, err: dbError }, 'recording a job failure failed; the lease will expire');
      }
    }
  }

  /**
   * Extends, in one statement, every lease a third or more of the way through. A job whose lease
   * another worker took over, or whose lease ran out while renewing failed, has its signal aborted:
   * its result would be discarded anyway.
   */
  private async renew(): Promise<void> {
    if (this.renewing) return;
    const now = this.clock().getTime();
    const due = [...this.running.values()].filter(
      (job) => !job.completed && !job.controller.signal.aborted && job.leaseUntil - now <= (this.leaseMs * 2) / 3,
    );
    if (due.length === 0) return;
    this.renewing = true;
    try {
      const until = now + this.leaseMs;
      const renewed = new Set(
        await renewLeases(
          this.options.handle.db,
          this.workerId,
          due.map((job) => job.claim),
          new Date(until),
        ),
      );
      for (const job of due) {
        if (renewed.has(job.claim.id)) job.leaseUntil = until;
        else if (this.running.get(job.claim.id) === job && !job.completed) {
          job.controller.abort(new LeaseLost(`lease on job ${job.claim.id} was lost`));
        }
      }
      if (this.renewFailing) this.logger.info({}, 'renewing job leases works again');
      this.renewFailing = false;
    } catch (error) {
      if (!this.renewFailing) this.logger.warn({ err: error }, 'renewing job leases failed; retrying');
      this.renewFailing = true;
      // Unconfirmed past its end, a lease may be another worker's by now.
      for (const job of due) {
        if (job.leaseUntil <= now && this.running.get(job.claim.id) === job && !job.completed) {
          job.controller.abort(new LeaseLost(`lease on job ${job.claim.id} ran out while renewing failed`));
        }
      }
    } finally {
      this.renewing = false;
    }
  }
}
