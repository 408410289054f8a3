// What the API benchmarks seed from: a fresh migrated SQLite database in a temporary directory, the
// app's context over it, and tickets written straight into it in batches (with their SLA clocks and
// due-check jobs when asked), so each benchmark states only what its tickets look like.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { systemClock } from '../../src/config/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { loadKeyRing } from '../../src/crypto/key-ring.ts';
import { openDatabase } from '../../src/database/connection.ts';
import { migrateToLatest } from '../../src/database/migrations/index.ts';
import type { Database } from '../../src/database/schema.ts';
import { createIdentityService } from '../../src/identity/service.ts';
import { enqueueJobs } from '../../src/jobs/index.ts';
import type { NewJob } from '../../src/jobs/index.ts';
import { createMemoryLiveFeed } from '../../src/realtime/live-feed.ts';
import type { AppContext } from '../../src/runtime/context.ts';
import { newTicketId } from '../../src/tickets/ids.ts';
import { SLA_CHECK_JOB, slaColumns } from '../../src/tickets/sla-engine.ts';
import { pendingDueChecks, startClocks } from '../../src/tickets/sla/clocks.ts';
import type { CalendarLookup, SlaTerms } from '../../src/tickets/sla/clocks.ts';
import type { TicketPriority, TicketsTable, TicketStatus } from '../../src/tickets/tables.ts';

/** A fresh migrated database in its own temporary directory (`prefix` names it), with identity over it. */
export async function openBenchDatabase(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const database = openDatabase({ dataDir });
  const keyRing = loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir });
  await migrateToLatest(database.db, { keyRing: () => keyRing });
  const identity = createIdentityService({
    db: database.db,
    clock: systemClock,
    sessionTtlHours: 24,
    liveFeed: createMemoryLiveFeed(),
  });
  return { dataDir, database, keyRing, identity };
}

export type BenchDatabase = Awaited<ReturnType<typeof openBenchDatabase>>;

/** RATE_LIMIT_PER_HOUR with limits no benchmark reaches. */
export const UNREACHED_RATE_LIMITS =
  'standard=1000000000,fintech=1000000000,healthcare=1000000000,government=1000000000';

/** The body of every benchmark's ticket create (POST /v1/support/tickets). */
export const TICKET = JSON.stringify({
  subject: 'Benchmark ticket subject',
  description: 'A description long enough to pass validation rules.',
  priority: 'high',
  category: 'technical',
});

/** The app's context over a bench database: warn-level logs, rate limits no benchmark reaches. */
export function benchAppContext({ dataDir, database, keyRing }: BenchDatabase): AppContext {
  return {
    config: loadConfig({
      LOG_LEVEL: 'warn',
      SECUREBASE_DATA_DIR: dataDir,
      RATE_LIMIT_PER_HOUR: UNREACHED_RATE_LIMITS,
    }),
    database,
    clock: systemClock,
    logger: pino({ level: 'warn' }),
    keyRing,
    liveFeed: createMemoryLiveFeed(),
    wakeWorkers: () => {},
  };
}

/** Tickets 1..count of one tenant; each function gets the ticket's number. */
export interface TicketSeed {
  customerId: string;
  createdBy: string;
  count: number;
  openedAt(number: number): Date;
  text(number: number): { subject: string; description: string };
  priority(number: number): TicketPriority;
  /** Open unless given. */
  status?(number: number): TicketStatus;
  /** Clocks started at each ticket's opening, with their pending due-check jobs; none unless given. */
  sla?: { terms: SlaTerms; calendars: CalendarLookup };
  /** Called after each committed batch with the number of tickets seeded so far. */
  onProgress?(seeded: number): void;
}

// 1,000 rows of the tickets table's 25 columns stay under SQLite's 32,766 bound parameters.
const BATCH = 1_000;

/** Inserts the tickets a batch per transaction (with their due-checks jobs); returns their ids in number order. */
export async function seedTickets(db: Kysely<Database>, seed: TicketSeed): Promise<string[]> {
  const ids: string[] = [];
  for (let first = 1; first <= seed.count; first += BATCH) {
    const rows: TicketsTable[] = [];
    const jobs: NewJob[] = [];
    for (let number = first; number < first + BATCH && number <= seed.count; number += 1) {
      const opened = seed.openedAt(number);
      const iso = opened.toISOString();
      const id = newTicketId(opened);
      ids.push(id);
      const row: TicketsTable = {
        id,
        customer_id: seed.customerId,
        number,
        ...seed.text(number),
        priority: seed.priority(number),
        category: 'general',
        status: seed.status?.(number) ?? 'open',
        created_by: seed.createdBy,
        assignee_id: null,
        tags: '[]',
        created_at: iso,
        updated_at: iso,
        first_response_at: null,
        resolved_at: null,
        closed_at: null,
        last_activity_at: iso,
        comment_count: 0,
        internal_comment_count: 0,
        sla_first_response_due_at: null,
        sla_resolution_due_at: null,
        sla_status: 'on_track',
        sla_clocks: null,
        follow_up_of: null,
        version: 1,
      };
      if (seed.sla) {
        const { clocks } = startClocks(seed.sla.terms, opened);
        Object.assign(row, slaColumns(clocks, seed.sla.calendars, opened));
        for (const check of pendingDueChecks(clocks)) {
          jobs.push({
            name: SLA_CHECK_JOB,
            payload: { ticket_id: id, clock: check.clock, kind: check.kind, cycle: check.cycle },
            runAt: new Date(check.run_at),
            uniqueKey: `sla:${id}:${check.clock}:${check.cycle}:${check.kind}:${check.run_at}`,
          });
        }
      }
      rows.push(row);
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('tickets').values(rows).execute();
      await enqueueJobs(trx, jobs, new Date());
    });
    seed.onProgress?.(first - 1 + rows.length);
  }
  await db.updateTable('customers').set({ last_ticket_number: seed.count }).where('id', '=', seed.customerId).execute();
  return ids;
}
