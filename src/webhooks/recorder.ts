/**
 * Writes the attempt log in batches, in two steps. Before a request goes on the wire its attempt is
 * logged as started (outcome `unknown`, one INSERT for the attempts started in one turn of the
 * event loop), so an attempt whose worker dies or loses the job mid-send still counts. When it
 * finishes, the attempts finished during one turn of the event loop overwrite their started rows,
 * their messages are updated, their retries enqueued, their jobs completed and their endpoints'
 * counters and breaker state applied (one statement for all endpoints) in ONE transaction. Each
 * handler waits for its batch to commit, so "job done" always follows "attempt logged"; throughput
 * pays one commit per batch.
 */
import type { Insertable, Kysely, Transaction } from 'kysely';
import { adapterOf } from '../database/adapter.ts';
import type { Database } from '../database/schema.ts';
import { emitEvent } from '../events/outbox.ts';
import { enqueueJobs } from '../jobs/enqueue.ts';
import type { NewJob } from '../jobs/enqueue.ts';
import { LeaseLost } from '../jobs/types.ts';
import type { JobLogger } from '../jobs/types.ts';
import { BREAKER_THRESHOLD, breakerHoldMs } from './flow-control.ts';
import type { EndpointId, MessageId } from './ids.ts';
import { ATTEMPT_INSERT_CHUNK, webhookSystemRepository } from './repository.ts';
import type { EndpointResults } from './repository.ts';
import type { MessageStatus, WebhookAttemptsTable } from './tables.ts';

/** One finished attempt as the recorder needs it. */
export interface AttemptRecord {
  attempt: Insertable<WebhookAttemptsTable>;
  messageStatus: MessageStatus;
  /** The next attempt's job when the verdict was retry. */
  retryJob: NewJob | null;
  success: boolean;
  gone: boolean;
  /** Completes the attempt's job inside the recording transaction (the job context's completeWithin). */
  complete: (trx: Transaction<Database>) => Promise<void>;
}

/** How the recorder reaches storage and policy. */
export interface RecorderOptions {
  db: Kysely<Database>;
  clock: () => Date;
  disableAfterFailingDays: number;
  logger: JobLogger;
  /** Called after a commit that enqueued jobs (in-process wake-up). */
  onEnqueued?: () => void;
}

const DAY_MS = 86_400_000;

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items during one turn of the event loop and writes them together (`write` decides
 * whether that takes a transaction); `afterCommit` runs when the write returned true (it enqueued jobs).
 */
class BatchWriter<T> {
  private queue: Pending<T>[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: JobLogger,
    private readonly what: string,
    private readonly write: (db: Kysely<Database>, items: T[]) => Promise<boolean>,
    private readonly afterCommit?: () => void,
  ) {}

  /** Resolves when the item is committed. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const enqueued = await this.write(
        this.db,
        batch.map((p) => p.item),
      );
      for (const p of batch) p.resolve();
      if (enqueued) this.afterCommit?.();
    } catch (error) {
      this.logger.error({ err: error, attempts: batch.length }, `${this.what} failed; they will be retried`);
      for (const p of batch) p.reject(error);
    }
  }
}

/** Batches the attempt log; see the module comment. */
export class DeliveryRecorder {
  private readonly starts: BatchWriter<Insertable<WebhookAttemptsTable>>;
  private readonly results: BatchWriter<AttemptRecord>;

  constructor(private readonly options: RecorderOptions) {
    // On PostgreSQL one INSERT is atomic on its own and BEGIN/COMMIT would be two more round trips;
    // more than one chunk takes a transaction, all or nothing. On SQLite a write outside a
    // transaction commits the open group on its own, so there it always joins a group commit.
    const alone = adapterOf(options.db).name === 'postgres';
    this.starts = new BatchWriter(options.db, options.logger, 'logging started webhook attempts', async (db, rows) => {
      if (alone && rows.length <= ATTEMPT_INSERT_CHUNK) await webhookSystemRepository(db).insertAttempts(rows);
      else await db.transaction().execute((trx) => webhookSystemRepository(trx).insertAttempts(rows));
      return false;
    });
    this.results = new BatchWriter(
      options.db,
      options.logger,
      'recording webhook attempts',
      (db, records) => db.transaction().execute((trx) => this.write(trx, records)),
      options.onEnqueued,
    );
  }

  /** Resolves when the attempt is logged as started (outcome `unknown`): call before sending. */
  started(
    attempt: Omit<Insertable<WebhookAttemptsTable>, 'outcome' | 'duration_ms' | 'response_truncated'>,
  ): Promise<void> {
    return this.starts.add({ ...attempt, outcome: 'unknown', duration_ms: 0, response_truncated: 0 });
  }

  /** Resolves when the finished attempt and its consequences are committed. */
  record(record: AttemptRecord): Promise<void> {
    return this.results.add(record);
  }

  private async write(trx: Transaction<Database>, records: AttemptRecord[]): Promise<boolean> {
    const system = webhookSystemRepository(trx);
    const now = this.options.clock();
    await system.finishAttempts(records.map((r) => r.attempt));

    const groups = new Map<
      string,
      { ids: MessageId[]; attempt: number; patch: Parameters<typeof system.applyAttempt>[2] }
    >();
    for (const r of records) {
      const a = r.attempt;
      const patch = {
        status: r.messageStatus,
        at: now.toISOString(),
        responseStatus: a.response_status ?? null,
        errorClass: a.error_class ?? null,
        nextAttemptAt: a.next_retry_at ?? null,
      };
      const key = JSON.stringify([
        a.attempt,
        patch.status,
        patch.responseStatus,
        patch.errorClass,
        patch.nextAttemptAt,
      ]);
      const group = groups.get(key) ?? { ids: [], attempt: a.attempt, patch };
      group.ids.push(a.message_id);
      groups.set(key, group);
    }
    for (const g of groups.values()) await system.applyAttempt(g.ids, g.attempt, g.patch);

    const jobs = records.flatMap((r) => (r.retryJob ? [r.retryJob] : []));
    if (jobs.length > 0) await enqueueJobs(trx, jobs, now);

    // All at once, so the batch's jobs are deleted by one statement. A job another worker took over
    // stays for its new owner, who finds the attempt recorded and skips it.
    const completed = await Promise.allSettled(records.map((r) => r.complete(trx)));
    for (const c of completed) if (c.status === 'rejected' && !(c.reason instanceof LeaseLost)) throw c.reason;

    // Last, so the endpoint rows, which other workers' batches update too, stay locked only until the commit.
    const byEndpoint = new Map<string, AttemptRecord[]>();
    for (const r of records) {
      const list = byEndpoint.get(r.attempt.endpoint_id);
      if (list) list.push(r);
      else byEndpoint.set(r.attempt.endpoint_id, [r]);
    }
    const results: EndpointResults[] = [...byEndpoint].map(([id, list]) => {
      const lastSuccess = list.map((r) => r.success).lastIndexOf(true);
      const trailing = list.slice(lastSuccess + 1);
      return {
        id,
        successes: list.filter((r) => r.success).length,
        failures: list.filter((r) => !r.success).length,
        trailingFailures: trailing.length,
        firstTrailingFailureAt: trailing[0]?.attempt.created_at ?? null,
        lastAt: list[list.length - 1]?.attempt.created_at ?? now.toISOString(),
      };
    });
    const states = await system.applyResults(results);
    for (const result of results) {
      const state = states.get(result.id);
      const list = byEndpoint.get(result.id) as AttemptRecord[];
      const trailing = result.trailingFailures;
      if (!state || (trailing === 0 && !list.some((r) => r.gone))) continue;
      const id = result.id as EndpointId;
      const failures = Number(state.consecutive_failures);
      if (trailing > 0 && failures >= BREAKER_THRESHOLD) {
        await system.openCircuit(id, new Date(now.getTime() + breakerHoldMs(failures)).toISOString());
      }
      if (state.status !== 'enabled') continue;
      const nowIso = now.toISOString();
      let reason: 'disabled_gone' | 'disabled_failing' | null = null;
      if (list.some((r) => r.gone)) reason = 'disabled_gone';
      else if (
        trailing > 0 &&
        state.failing_since &&
        now.getTime() - Date.parse(state.failing_since) >= this.options.disableAfterFailingDays * DAY_MS
      )
        reason = 'disabled_failing';
      if (!reason) continue;
      const detail =
        reason === 'disabled_gone'
          ? 'the receiver answered 410 Gone'
          : `every attempt failed for ${this.options.disableAfterFailingDays} days`;
      if (await system.disable(id, reason, detail, nowIso)) {
        await emitEvent(
          trx,
          {
            type: 'webhook.endpoint_disabled',
            customerId: state.customer_id,
            data: { webhook_id: id, url: state.url, reason, failing_since: state.failing_since },
          },
          now,
        );
        this.options.logger.warn({ endpoint: id, reason }, 'webhook endpoint disabled');
      }
    }
    return jobs.length > 0;
  }
}
