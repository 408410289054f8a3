import type { Selectable } from 'kysely';
import { prefixedId } from '../database/ids.ts';
import { enqueueJobs } from '../jobs/enqueue.ts';
import type { Executor } from '../jobs/types.ts';
import type { EventsTable } from './tables.ts';

/** The job that fans one event out to its processors (see `createEventDispatcher`). */
export const DISPATCH_JOB = 'events.dispatch';

/** Payload of the dispatch job. */
export interface DispatchPayload {
  eventId: string;
}

/** The seed's SNS topics, kept as event categories. */
export type EventCategory = 'support-events' | 'cost-alerts' | 'webhook-events' | 'notifications';

/** An event as stored in the outbox. `id` is stable: receivers use it to deduplicate. */
export interface EventRecord<T = unknown> {
  id: string;
  customerId: string | null;
  type: string;
  category: string;
  data: T;
  createdAt: string;
}

/** A change others care about, e.g. `{ type: 'ticket.created', customerId, data: { ticket } }`. */
export interface NewEvent<T = unknown> {
  type: string;
  customerId: string | null;
  data: T;
  category?: EventCategory;
}

/** The category an event type belongs to when its emitter does not say. */
export function categoryOf(type: string): EventCategory {
  if (type.startsWith('ticket.')) return 'support-events';
  if (type.startsWith('cost.')) return 'cost-alerts';
  if (type.startsWith('webhook.')) return 'webhook-events';
  return 'notifications';
}

/**
 * Writes an event to the outbox and enqueues its dispatch job, both through the caller's
 * transaction: the event exists exactly when the change that caused it commits, and is then
 * delivered to every processor (at least once; exactly once per processor, see the dispatcher).
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   const ticket = await tickets.insert(trx, input);
 *   await emitEvent(trx, { type: 'ticket.created', customerId: ticket.customerId, data: { ticket } }, now);
 * });
 */
export async function emitEvent<T>(trx: Executor, event: NewEvent<T>, now: Date): Promise<EventRecord<T>> {
  const [record] = await emitEvents(trx, [event], now);
  return record as EventRecord<T>;
}

/** Events per INSERT: 6 columns each stays under SQLite's 32,766 bound parameters. */
const EVENT_CHUNK = 5_000;

/**
 * Writes many events like `emitEvent`, with one INSERT per 5,000 events and their dispatch jobs in
 * one `enqueueJobs`: a fan-out of a thousand events costs a few statements, not a thousand
 * round trips. Records come back in the order given.
 */
export async function emitEvents<T>(
  trx: Executor,
  events: readonly NewEvent<T>[],
  now: Date,
): Promise<EventRecord<T>[]> {
  const createdAt = now.toISOString();
  const records: EventRecord<T>[] = events.map((event) => ({
    id: prefixedId('evt', now.getTime()),
    customerId: event.customerId,
    type: event.type,
    category: event.category ?? categoryOf(event.type),
    data: event.data,
    createdAt,
  }));
  for (let start = 0; start < records.length; start += EVENT_CHUNK) {
    await trx
      .insertInto('events')
      .values(
        records.slice(start, start + EVENT_CHUNK).map((record) => ({
          id: record.id,
          customer_id: record.customerId,
          type: record.type,
          category: record.category,
          data: JSON.stringify(record.data ?? null),
          created_at: record.createdAt,
        })),
      )
      .execute();
  }
  await enqueueJobs(
    trx,
    records.map((record) => ({ name: DISPATCH_JOB, payload: { eventId: record.id } satisfies DispatchPayload })),
    now,
  );
  return records;
}

/** Maps a stored row to the record processors receive. */
export function toEventRecord(row: Selectable<EventsTable>): EventRecord {
  return {
    id: row.id,
    customerId: row.customer_id,
    type: row.type,
    category: row.category,
    data: JSON.parse(row.data) as unknown,
    createdAt: row.created_at,
  };
}

/** Reads one event by id (null when it does not exist). */
export async function findEvent(db: Executor, id: string): Promise<EventRecord | null> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEventRecord(row) : null;
}
