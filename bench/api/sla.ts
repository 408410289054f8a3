// SLA due-check cost beside the number of open tickets: each open ticket carries its two pending
// due-check jobs (warning and breach, scheduled for later), and DUE tickets have theirs due now.
// The worker claims due jobs through the (status, run_at) index and loads each ticket by id, so the
// cost per due check should stay flat from 10,000 to 100,000 open tickets: O(tickets due), no scan.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../src/config/clock.ts';
import { createEventDispatcher } from '../../src/events/processors.ts';
import { combineJobHandlers, JobRunner } from '../../src/jobs/index.ts';
import { SLA_CHECK_JOB } from '../../src/tickets/sla-engine.ts';
import { slaJobs } from '../../src/tickets/sla-jobs.ts';
import { ALWAYS_OPEN_CALENDAR } from '../../src/tickets/sla/calendar.ts';
import { defaultPolicy, termsFor } from '../../src/tickets/sla/policy.ts';
import { openBenchDatabase, seedTickets } from './seed-tickets.ts';

const DUE = 500;
const HOUR = 3_600_000;

async function measure(openTickets: number): Promise<{ ms: number; checks: number }> {
  const bench = await openBenchDatabase('securebase-bench-sla-');
  const { database } = bench;
  try {
    const tenant = await bench.identity.createTenant({
      name: 'Bench',
      tier: 'standard',
      adminEmail: 'sla@example.com',
    });
    const now = new Date();
    const calendars = () => ALWAYS_OPEN_CALENDAR;
    await seedTickets(database.db, {
      customerId: tenant.customer.id,
      createdBy: tenant.user.id,
      count: openTickets + DUE,
      // The last DUE tickets opened five hours ago: their 4-hour first response is due now.
      openedAt: (number) => new Date(now.getTime() + (number <= openTickets ? 0 : -5 * HOUR)),
      text: (number) => ({
        subject: `Ticket ${number - 1}`,
        description: 'A ticket of the SLA due-check benchmark.',
      }),
      priority: () => 'high',
      sla: { terms: termsFor({ ...defaultPolicy('standard'), calendar_id: '24x7' }, 'high', calendars), calendars },
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
    rmSync(bench.dataDir, { recursive: true, force: true });
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
