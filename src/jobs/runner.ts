import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../config/clock.ts';
import { systemClock } from '../config/clock.ts';
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
  /** Jobs running at once in this runner (default 64). */
  concurrency?: number;
  /**
   * Jobs claimed ahead of free slots (default: `concurrency`), so the next batch is ready when a
   * slot frees instead of waiting for a claim round trip. Released again on stop().
   */
  prefetch?: number;
  /** A claim holds a job this long; renewed while the handler runs (default 30 s). */
  leaseMs?: number;
  /** Idle polling period (default 50 ms); an idle poll is one read, no write lock. */
  pollIntervalMs?: number;
  /** Delay after a failed attempt (default exponential, 1 s doubling to 1 h). */
  backoff?: Backoff;
  clock?: Clock;
  workerId?: string;
  logger?: JobLogger;
  /** PostgreSQL connection for LISTEN wake-ups; without it the runner relies on polling and wake(). */
  listen?: { connectionString: string; schema?: string | undefined };
  /** How long stop() waits for running jobs before aborting their signals (default 30 s). */
  stopGraceMs?: number;
}

interface Running {
  claim: ClaimToken;
  controller: AbortController;
  leaseUntil: number;
  completed: boolean;
}

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
  private readonly capacity: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly logger: JobLogger;
  /** Every job this runner holds a lease on: executing or waiting for a slot. */
  private readonly running = new Map<string, Running>();
  private readonly waiting: JobRow[] = [];
  private active = 0;
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
  private nextScheduleCheck = 0;
  private schedulesReady = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.handlers = new Map(Object.entries(options.handlers));
    this.concurrency = options.concurrency ?? 64;
    this.capacity = this.concurrency + (options.prefetch ?? this.concurrency);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
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
    if (unknown.length > 0) this.logger.warn({ jobs: unknown }, 'queued jobs have no handler here; they will be marked dead');
    await this.checkSchedules(true);
    this.started = true;
    if (this.options.listen) {
      this.listener = listenForJobs({ ...this.options.listen, onWake: () => this.wake(), logger: this.logger });
    }
    this.renewTimer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.pump();
  }

  /** Stops claiming, waits for running jobs (aborting them after the grace time), flushes results. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    await this.listener?.close();
    this.listener = null;
    await this.claiming;
    const unstarted = this.waiting.splice(0);
    for (const row of unstarted) this.running.delete(row.id);
    await releaseJobs(this.options.handle.db, this.workerId, unstarted.map((row) => ({ id: row.id, attempts: row.attempts }))).catch((error: unknown) =>
      this.logger.warn({ err: error }, 'releasing prefetched jobs failed; their leases will expire'),
    );
    const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, this.options.stopGraceMs ?? 30_000, 'timeout').unref());
    if ((await Promise.race([Promise.all(this.tasks), grace])) === 'timeout') {
      for (const job of this.running.values()) job.controller.abort(new Error('runner stopping'));
    }
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    await this.completions.flush();
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
    const free = this.capacity - this.running.size;
    if (free <= 0) return; // a finishing job pumps again
    this.again = false;
    this.claiming = this.cycle(free).finally(() => {
      this.claiming = null;
      if (this.again || (this.backlog && this.running.size < this.capacity)) this.pump();
      else if (this.started && !this.pollTimer && (this.idle || !this.backlog)) {
        this.pollTimer = setTimeout(() => {
          this.pollTimer = null;
          this.pump();
        }, this.pollIntervalMs);
      }
    });
  }

  private async cycle(free: number): Promise<void> {
    try {
      await this.checkSchedules(false);
      if (this.idle && !this.again && !(await hasClaimableJobs(this.options.handle.db, this.clock()))) return;
      const rows = await this.claim(free);
      this.idle = rows.length === 0;
      this.backlog = rows.length === free;
      for (const row of rows) this.launch(row);
    } catch (error) {
      this.idle = true;
      this.backlog = false;
      this.logger.error({ err: error }, 'claiming jobs failed');
    }
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

  private launch(row: JobRow): void {
    this.running.set(row.id, {
      claim: { id: row.id, attempts: row.attempts },
      controller: new AbortController(),
      leaseUntil: this.clock().getTime() + this.leaseMs,
      completed: false,
    });
    this.waiting.push(row);
    this.startWaiting();
  }

  private startWaiting(): void {
    while (this.active < this.concurrency && this.waiting.length > 0) {
      const row = this.waiting.shift() as JobRow;
      const entry = this.running.get(row.id);
      if (!entry) continue;
      this.active += 1;
      const task = this.execute(row, entry).finally(() => {
        this.active -= 1;
        this.running.delete(row.id);
        this.tasks.delete(task);
        this.startWaiting();
        if (this.backlog || this.again) this.pumpSoon();
      });
      this.tasks.add(task);
    }
  }

  private async execute(row: JobRow, entry: Running): Promise<void> {
    const ctx: JobContext = {
      db: this.options.handle.db,
      signal: entry.controller.signal,
      workerId: this.workerId,
      now: this.clock,
      completeWithin: async (trx) => {
        if ((await completeJobs(trx, this.workerId, [entry.claim])) !== 1) throw new LeaseLost(`job ${row.id} is no longer held by ${this.workerId}`);
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
      const job: ClaimedJob = { id: row.id, name: row.name, payload, attempts: row.attempts, maxAttempts: row.max_attempts };
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
    else if (!(error instanceof RetryLater)) this.logger.warn(log, 'job failed; will retry');
    try {
      await this.failures.record(entry.claim, outcome, message, now);
    } catch (dbError) {
      this.logger.error({ ...log, err: dbError }, 'recording a job failure failed; the lease will expire');
    }
  }

  /** Extends leases due within two thirds of the lease; aborts jobs whose lease was taken over. */
  private async renew(): Promise<void> {
    const now = this.clock().getTime();
    const due = [...this.running.values()].filter((job) => !job.completed && job.leaseUntil - now < (this.leaseMs * 2) / 3);
    if (due.length === 0) return;
    try {
      const until = now + this.leaseMs;
      const renewed = new Set(await renewLeases(this.options.handle.db, this.workerId, due.map((job) => job.claim), new Date(until)));
      for (const job of due) {
        if (renewed.has(job.claim.id)) job.leaseUntil = until;
        else if (this.running.get(job.claim.id) === job) job.controller.abort(new LeaseLost(`lease on job ${job.claim.id} was lost`));
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'renewing job leases failed');
    }
  }
}
