import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import { enqueueJob } from './enqueue.ts';

/** A job enqueued every `intervalMs` by whichever runner gets there first. */
export interface PeriodicJob {
  name: string;
  intervalMs: number;
  /** Attempts per occurrence (default 3: a missed slot is followed by the next one anyway). */
  maxAttempts?: number;
}

/** Payload of a periodic job: the slot it stands for. */
export interface PeriodicPayload {
  scheduledFor: string;
}

/**
 * Creates the schedule rows that do not exist yet (first run: now) and records interval changes.
 * Every runner calls it at start; concurrent calls are harmless.
 */
export async function ensureSchedules(
  db: Kysely<Database>,
  periodic: readonly PeriodicJob[],
  now: Date,
): Promise<void> {
  if (periodic.length === 0) return;
  await db
    .insertInto('job_schedules')
    .values(periodic.map((p) => ({ name: p.name, interval_ms: p.intervalMs, next_run_at: now.toISOString() })))
    .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ interval_ms: eb.ref('excluded.interval_ms') })))
    .execute();
}

/** The first slot after `now` on the grid `from + k·interval`: missed slots are skipped, not replayed. */
export function nextSlot(from: Date, intervalMs: number, now: Date): Date {
  const behind = now.getTime() - from.getTime();
  const steps = behind < 0 ? 1 : Math.floor(behind / intervalMs) + 1;
  return new Date(from.getTime() + steps * intervalMs);
}

/**
 * Enqueues every due periodic job at most once per slot across all runners: the runner whose
 * conditional UPDATE (next_run_at still the value it read) hits enqueues, in the same
 * transaction, with unique key name+slot as a second guard. Returns the earliest next_run_at
 * among these schedules, so the caller knows when to look again.
 */
export async function enqueueDuePeriodicJobs(
  db: Kysely<Database>,
  periodic: readonly PeriodicJob[],
  now: Date,
): Promise<Date | null> {
  if (periodic.length === 0) return null;
  const byName = new Map(periodic.map((p) => [p.name, p]));
  const rows = await db
    .selectFrom('job_schedules')
    .selectAll()
    .where('name', 'in', [...byName.keys()])
    .execute();
  let earliest: Date | null = null;
  for (const row of rows) {
    const job = byName.get(row.name);
    if (!job) continue;
    let next = new Date(row.next_run_at);
    if (next <= now) {
      const slot = row.next_run_at;
      next = nextSlot(next, row.interval_ms, now);
      await db.transaction().execute(async (trx) => {
        const advanced = await trx
          .updateTable('job_schedules')
          .set({ next_run_at: next.toISOString() })
          .where('name', '=', row.name)
          .where('next_run_at', '=', slot)
          .executeTakeFirst();
        if (Number(advanced.numUpdatedRows) !== 1) return;
        const payload: PeriodicPayload = { scheduledFor: slot };
        await enqueueJob(
          trx,
          { name: job.name, payload, uniqueKey: `periodic:${job.name}:${slot}`, maxAttempts: job.maxAttempts ?? 3 },
          now,
        );
      });
    }
    if (!earliest || next < earliest) earliest = next;
  }
  return earliest;
}
