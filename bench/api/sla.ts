// SLA due-check cost beside the number of open tickets: each open ticket carries its two pending
// due-check jobs (warning and breach, scheduled for later), and DUE tickets have theirs due now.
// The worker claims due jobs through the (status, run_at) index and loads each ticket by id, so the
// cost per due check should stay flat from 10,000 to 100,000 open tickets: O(tickets due), no scan.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Insertable } from 'kysely';
import { systemClock } from '../../src/config/clock.ts';
import { loadKeyRing } from '../../src/crypto/key-ring.ts';
import { openDatabase } from '../../src/database/connection.ts';
import { migrateToLatest } from '../../src/database/migrations/index.ts';
import { createEventDispatcher } from '../../src/events/processors.ts';
import { createIdentityService } from '../../src/identity/service.ts';
import { combineJobHandlers, enqueueJobs, JobRunner } from '../../src/jobs/index.ts';
import { newTicketId } from '../../src/tickets/ids.ts';
import { pendingDueChecks, startClocks } from '../../src/tickets/sla/clocks.ts';
import { SLA_CHECK_JOB, slaColumns } from '../../src/tickets/sla-engine.ts';
import { slaJobs } from '../../src/tickets/sla-jobs.ts';
import { ALWAYS_OPEN_CALENDAR } from '../../src/tickets/sla/calendar.ts';
import { defaultPolicy, termsFor } from '../../src/tickets/sla/policy.ts';
import type { TicketsTable } from '../../src/tickets/tables.ts';

const DUE = 500;
const HOUR = 3_600_000;

async function measure(openTickets: number): Promise<{ ms: number; checks: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'securebase-bench-sla-'));
  const database = openDatabase({ dataDir });
  try {
    const keyRing = loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir });
    await migrateToLatest(database.db, { keyRing: () => keyRing });
    const identity = createIdentityService({ db: database.db, clock: systemClock, sessionTtlHours: 24 });
    const tenant = await identity.createTenant({ name: 'Bench', tier: 'standard', adminEmail: 'sla@example.com' });
    const now = new Date();
    const calendars = () => ALWAYS_OPEN_CALENDAR;
    const terms = termsFor({ ...defaultPolicy('standard'), calendar_id: '24x7' }, 'high', calendars);
    const rows: Insertable<TicketsTable>[] = [];
    const jobs: Parameters<typeof enqueueJobs>[1][number][] = [];
    for (let i = 0; i < openTickets + DUE; i += 1) {
      // The last DUE tickets opened five hours ago: their 4-hour first response is due now.
      const opened = new Date(now.getTime() + (i < openTickets ? 0 : -5 * HOUR));
      const { clocks } = startClocks(terms, opened);
      const id = newTicketId(opened);
      const iso = opened.toISOString();
      rows.push({
        id,
        customer_id: tenant.customer.id,
        number: i + 1,
        subject: `Ticket ${i}`,
        description: 'A ticket of the SLA due-check benchmark.',
        priority: 'high',
        category: 'general',
        status: 'open',
        created_by: tenant.user.id,
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
        follow_up_of: null,
        version: 1,
        ...slaColumns(clocks, calendars, opened),
      });
      for (const check of pendingDueChecks(clocks)) {
        jobs.push({
          name: SLA_CHECK_JOB,
          payload: { ticket_id: id, clock: check.clock, kind: check.kind, cycle: check.cycle },
          runAt: new Date(check.run_at),
          uniqueKey: `sla:${id}:${check.clock}:${check.cycle}:${check.kind}:${check.run_at}`,
        });
      }
    }
    await database.db.transaction().execute(async (trx) => {
      for (let start = 0; start < rows.length; start += 500) {
        await trx
          .insertInto('tickets')
          .values(rows.slice(start, start + 500))
          .execute();
      }
      await enqueueJobs(trx, jobs, now);
    });
    const dueNow = async () =>
      (
        await database.db
          .selectFrom('jobs')
          .select(database.db.fn.countAll<number>().as('n'))
          .where('name', '=', SLA_CHECK_JOB)
          .where('status', '=', 'pending')
          .where('run_at', '<=', new Date().toISOString())
          .executeTakeFirstOrThrow()
      ).n;
    const checks = Number(await dueNow());
    const runner = new JobRunner({
      handle: database,
      handlers: combineJobHandlers(createEventDispatcher([]), slaJobs),
      clock: systemClock,
      pollIntervalMs: 5,
      concurrency: 8,
    });
    const started = performance.now();
    await runner.start();
    runner.wake();
    while (Number(await dueNow()) > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const ms = performance.now() - started;
    await runner.stop();
    return { ms, checks };
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Prints the due-check cost at 10,000 and 100,000 open tickets. */
export async function runSlaBench(): Promise<void> {
  console.log(`\nSLA due checks (${DUE} tickets due, each with a warning and a breach check; embedded SQLite)`);
  for (const open of [10_000, 100_000]) {
    const { ms, checks } = await measure(open);
    console.log(
      `  ${open.toLocaleString('en').padStart(7)} open tickets: ${checks} due checks in ${Math.round(ms)} ms   ${(ms / checks).toFixed(2)} ms per check`,
    );
  }
}

// Also runnable alone: node --import tsx bench/api/sla.ts
if (import.meta.url === `file://${process.argv[1]}`) await runSlaBench();
