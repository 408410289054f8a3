/**
 * Writes delivery results in batches: the attempts finished during one turn of the event loop
 * are logged, their messages updated, their retries enqueued and their endpoints' counters and
 * breaker state applied in ONE transaction. Each attempt's handler waits for its batch to commit,
 * so "job done" always follows "attempt logged"; throughput no longer pays one commit per attempt.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import { emitEvent } from '../events/outbox.ts';
import { enqueueJobs } from '../jobs/enqueue.ts';
import type { NewJob } from '../jobs/enqueue.ts';
import type { JobLogger } from '../jobs/types.ts';
import { BREAKER_THRESHOLD, breakerHoldMs } from './flow-control.ts';
import { endpointRepository, messageRepository } from './repository.ts';
import type { MessageStatus, WebhookAttemptsTable } from './tables.ts';

/** One finished attempt as the recorder needs it. */
export interface AttemptRecord {
  attempt: Insertable<WebhookAttemptsTable>;
  messageStatus: MessageStatus;
  /** The next attempt's job when the verdict was retry. */
  retryJob: NewJob | null;
  success: boolean;
  gone: boolean;
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

interface Pending {
  record: AttemptRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const DAY_MS = 86_400_000;

/** Batches attempt results into one transaction per flush; see the module comment. */
export class DeliveryRecorder {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(private readonly options: RecorderOptions) {}

  /** Resolves when the attempt and its consequences are committed. */
  record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
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
    let enqueued = false;
    try {
      await this.options.db.transaction().execute(async (trx) => {
        enqueued = await this.write(trx, batch.map((p) => p.record));
      });
      for (const p of batch) p.resolve();
      if (enqueued) this.options.onEnqueued?.();
    } catch (error) {
      this.options.logger.error({ err: error, attempts: batch.length }, 'recording webhook attempts failed; they will be retried');
      for (const p of batch) p.reject(error);
    }
  }

  private async write(trx: Kysely<Database>, records: AttemptRecord[]): Promise<boolean> {
    const messages = messageRepository(trx);
    const endpoints = endpointRepository(trx);
    const now = this.options.clock();
    await messages.insertAttempts(records.map((r) => r.attempt));

    const groups = new Map<string, { ids: string[]; attempt: number; patch: Parameters<typeof messages.applyAttempt>[2] }>();
    for (const r of records) {
      const a = r.attempt;
      const patch = { status: r.messageStatus, at: now.toISOString(), responseStatus: a.response_status ?? null, errorClass: a.error_class ?? null, nextAttemptAt: a.next_retry_at ?? null };
      const key = JSON.stringify([a.attempt, patch.status, patch.responseStatus, patch.errorClass, patch.nextAttemptAt]);
      const group = groups.get(key) ?? { ids: [], attempt: a.attempt, patch };
      group.ids.push(a.message_id);
      groups.set(key, group);
    }
    for (const g of groups.values()) await messages.applyAttempt(g.ids, g.attempt, g.patch);

    const jobs = records.flatMap((r) => (r.retryJob ? [r.retryJob] : []));
    if (jobs.length > 0) await enqueueJobs(trx, jobs, now);

    const byEndpoint = new Map<string, AttemptRecord[]>();
    for (const r of records) byEndpoint.set(r.attempt.endpoint_id, [...(byEndpoint.get(r.attempt.endpoint_id) ?? []), r]);
    for (const id of [...byEndpoint.keys()].sort()) {
      const list = byEndpoint.get(id) as AttemptRecord[];
      const lastSuccess = list.map((r) => r.success).lastIndexOf(true);
      const trailing = list.slice(lastSuccess + 1);
      const state = await endpoints.applyResults(id, {
        successes: list.filter((r) => r.success).length,
        failures: list.filter((r) => !r.success).length,
        trailingFailures: trailing.length,
        firstTrailingFailureAt: trailing[0]?.attempt.created_at ?? null,
        lastAt: list[list.length - 1]?.attempt.created_at ?? now.toISOString(),
      });
      if (!state) continue;
      const failures = Number(state.consecutive_failures);
      if (trailing.length > 0 && failures >= BREAKER_THRESHOLD) {
        await endpoints.openCircuit(id, new Date(now.getTime() + breakerHoldMs(failures)).toISOString());
      }
      if (state.status !== 'enabled') continue;
      const nowIso = now.toISOString();
      let reason: 'disabled_gone' | 'disabled_failing' | null = null;
      if (list.some((r) => r.gone)) reason = 'disabled_gone';
      else if (trailing.length > 0 && state.failing_since && now.getTime() - Date.parse(state.failing_since) >= this.options.disableAfterFailingDays * DAY_MS) reason = 'disabled_failing';
      if (!reason) continue;
      const detail = reason === 'disabled_gone' ? 'the receiver answered 410 Gone' : `every attempt failed for ${this.options.disableAfterFailingDays} days`;
      if (await endpoints.disable(id, reason, detail, nowIso)) {
        await emitEvent(trx, { type: 'webhook.endpoint_disabled', customerId: state.customer_id, data: { webhook_id: id, url: state.url, reason, failing_since: state.failing_since } }, now);
        this.options.logger.warn({ endpoint: id, reason }, 'webhook endpoint disabled');
      }
    }
    return jobs.length > 0;
  }
}
