import type { Transaction } from 'kysely';
import type { Database } from '../database/schema.ts';
import { PermanentFailure } from '../jobs/types.ts';
import type { ClaimedJob, JobContext, JobHandler } from '../jobs/types.ts';
import { DISPATCH_JOB, findEvent } from './outbox.ts';
import type { DispatchPayload, EventRecord } from './outbox.ts';

/**
 * Reacts to events by writing rows or enqueueing typed jobs inside the given transaction, never
 * by calling out: the dispatcher commits all processors' writes together with the dispatch job's
 * completion, so each (event, processor) pair takes effect exactly once.
 *
 * @example
 * const webhookFanOut: EventProcessor = {
 *   name: 'webhooks.fan-out',
 *   handles: (type) => !type.startsWith('internal.'),
 *   process: async (trx, event) => { await enqueueJobs(trx, deliveriesFor(event), new Date()); },
 * };
 */
export interface EventProcessor {
  /** Unique among processors; appears in logs and errors. */
  name: string;
  handles(type: string): boolean;
  process(trx: Transaction<Database>, event: EventRecord): Promise<void>;
}

interface PendingDispatch {
  job: ClaimedJob;
  ctx: JobContext;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 200;

function isDispatchPayload(payload: unknown): payload is DispatchPayload {
  return (
    typeof payload === 'object' && payload !== null && typeof (payload as { eventId?: unknown }).eventId === 'string'
  );
}

/**
 * The handler of the `events.dispatch` job: runs every processor that handles the event's type in
 * ONE transaction that also deletes the dispatch job. A processor that throws rolls back every
 * processor's writes and the job retries; a commit means all of them ran, once.
 * Register it as `{ [DISPATCH_JOB]: createEventDispatcher(processors) }`.
 */
export function createEventDispatcher(processors: readonly EventProcessor[]): Record<typeof DISPATCH_JOB, JobHandler> {
  const names = new Set<string>();
  for (const processor of processors) {
    if (names.has(processor.name)) throw new Error(`two event processors are named '${processor.name}'`);
    names.add(processor.name);
  }
  async function processEvent(trx: Transaction<Database>, job: ClaimedJob, ctx: JobContext): Promise<void> {
    if (!isDispatchPayload(job.payload)) throw new PermanentFailure('dispatch payload has no eventId');
    const eventId = job.payload.eventId;
    const event = await findEvent(trx, eventId);
    if (!event) throw new PermanentFailure(`event ${eventId} does not exist`);
    for (const processor of processors) {
      if (!processor.handles(event.type)) continue;
      try {
        await processor.process(trx, event);
      } catch (error) {
        if (error instanceof Error) error.message = `processor ${processor.name}: ${error.message}`;
        throw error;
      }
    }
    await ctx.completeWithin(trx);
  }

  const dispatchAlone = (job: ClaimedJob, ctx: JobContext) =>
    ctx.db.transaction().execute((trx) => processEvent(trx, job, ctx));

  // Dispatch jobs claimed together are committed together: one transaction (one commit) for a
  // batch instead of one per event. If the batch fails, each job runs alone, so one bad event
  // cannot hold back the others and the exactly-once guarantee stays per job.
  let batch: PendingDispatch[] = [];
  const flush = async (items: PendingDispatch[]) => {
    const first = items[0];
    if (!first) return;
    if (items.length > 1) {
      try {
        await first.ctx.db.transaction().execute(async (trx) => {
          for (const item of items) await processEvent(trx, item.job, item.ctx);
        });
        for (const item of items) item.resolve();
        return;
      } catch {
        // fall through: retry each alone to find the one that fails
      }
    }
    for (const item of items) dispatchAlone(item.job, item.ctx).then(item.resolve, item.reject);
  };
  const dispatch: JobHandler = (job, ctx) =>
    new Promise<void>((resolve, reject) => {
      batch.push({ job, ctx, resolve, reject });
      if (batch.length === 1) {
        setImmediate(() => {
          const items = batch;
          batch = [];
          for (let start = 0; start < items.length; start += MAX_BATCH)
            void flush(items.slice(start, start + MAX_BATCH));
        });
      }
    });
  return { [DISPATCH_JOB]: dispatch };
}
