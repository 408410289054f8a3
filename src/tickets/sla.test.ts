import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import type { DialectName } from '../database/adapter.ts';
import { DISPATCH_JOB } from '../events/outbox.ts';
import { createEventDispatcher } from '../events/processors.ts';
import { combineJobHandlers, JobRunner } from '../jobs/index.ts';
import { eventProcessors } from '../server/worker.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import { DELIVER_JOB } from '../webhooks/delivery-job.ts';
import { webhookDeliveryEngine, webhookJobs } from '../webhooks/jobs.ts';
import { LOOPBACK_ENV } from '../webhooks/testing/harness.ts';
import { startReceiver } from '../webhooks/testing/receiver.ts';
import { SLA_CHECK_JOB } from './sla-engine.ts';
import { slaJobs } from './sla-jobs.ts';
import { businessTimeBetween } from './sla/business-time.ts';
import { DEFAULT_BUSINESS_CALENDAR } from './sla/calendar.ts';
import { api, openTicket } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';

type Sla = TicketJson & {
  sla_status: string;
  sla_first_response_due_at: string | null;
  sla_resolution_due_at: string | null;
  sla_due_date: string | null;
};
type HistoryList = { history: { field: string; to: { event: string; clock: string; due_at: string | null } }[] };

const HOUR = 3_600_000;
// Sessions must outlive the days the tests move the clock by.
const ENV = { ...LOOPBACK_ENV, SESSION_TTL_HOURS: '2000' };

/** A server on a manual clock with a worker running event dispatch, webhook delivery and SLA due checks. */
async function startSlaHarness(dialect: DialectName, start: string) {
  const clock = manualClock(new Date(start));
  const server = await startTestServer(dialect, { clock, env: ENV });
  const engine = webhookDeliveryEngine(server.ctx);
  const runner = new JobRunner({
    handle: server.ctx.database,
    handlers: combineJobHandlers(
      createEventDispatcher(eventProcessors(server.ctx)),
      webhookJobs(server.ctx, engine),
      slaJobs,
    ),
    clock,
    pollIntervalMs: 10,
    stopGraceMs: 2_000,
  });
  server.ctx.wakeWorkers = () => runner.wake();
  await runner.start();
  return {
    server,
    clock,
    /** Moves the clock and waits until every check, dispatch and delivery due by then has run. */
    async moveTo(iso: string) {
      clock.set(new Date(iso));
      runner.wake();
      await waitFor(
        async () =>
          (
            await server.ctx.database.db
              .selectFrom('jobs')
              .select('id')
              .where('name', 'in', [SLA_CHECK_JOB, DISPATCH_JOB, DELIVER_JOB])
              .where('run_at', '<=', clock().toISOString())
              .where('status', '=', 'pending')
              .execute()
          ).length === 0,
        15_000,
        'due SLA checks, dispatches and deliveries',
      );
    },
    close: async () => {
      await runner.stop();
      await engine.close();
      await server.close();
    },
  };
}

const slaLog = async (server: TestServer, token: string, id: string) =>
  (await api<HistoryList>(server, 'GET', `/v1/support/tickets/${id}/history`, { token })).body.history
    .filter((h) => h.field === 'sla')
    .map((h) => `${h.to.event} ${h.to.clock}`);

for (const dialect of TEST_DIALECTS) {
  describe(`SLA over HTTP on ${dialect}`, () => {
    let server: TestServer;
    const clock = manualClock(new Date('2026-01-05T10:00:00.000Z'));
    before(async () => {
      server = await startTestServer(dialect, { clock, env: ENV });
    });
    after(async () => server.close());

    it("a ticket opened Friday 17:30 in a calendar's zone is due Monday as the calendar says", async () => {
      const admin = await createStaffUser(server, 'platform_admin');
      const calendar = await api(server, 'PUT', '/v1/support/sla/calendars/berlin', {
        token: admin.token,
        body: {
          name: 'Berlin office',
          time_zone: 'Europe/Berlin',
          hours: Object.fromEntries(
            ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [
              d,
              [{ start: '09:00', end: '17:00' }],
            ]),
          ),
          holidays: ['2026-12-24'],
        },
      });
      assert.equal(calendar.status, 200, calendar.text);
      const policy = await api<{ calendar_id: string; targets: Record<string, Record<string, number>> }>(
        server,
        'PUT',
        '/v1/support/sla/policies/healthcare',
        { token: admin.token, body: { calendar_id: 'berlin' } },
      );
      assert.equal(policy.status, 200, policy.text);
      assert.equal(policy.body.targets.medium?.first_response_minutes, 360, 'healthcare: first response × 0.25');

      const tenant = await createTenant(server, { tier: 'healthcare' });
      clock.set(new Date('2026-01-09T16:30:00.000Z')); // Friday 17:30 in Berlin (CET)
      const ticket = (await openTicket(server, tenant.apiKey, { priority: 'medium' })) as Sla;
      // 6 business hours from Monday 09:00 CET; 120 business hours are 15 working days of 8 hours.
      assert.equal(ticket.sla_first_response_due_at, '2026-01-12T14:00:00.000Z');
      assert.equal(ticket.sla_resolution_due_at, '2026-01-30T16:00:00.000Z');
      assert.equal(ticket.sla_due_date, ticket.sla_first_response_due_at);
      assert.equal(ticket.sla_status, 'on_track');

      // The tenant reads its own policy; the calendars list shows the new one beside the built-ins.
      const own = await api<{ policies: { tier: string }[] }>(server, 'GET', '/v1/support/sla/policies', {
        token: tenant.apiKey,
      });
      assert.deepEqual(
        own.body.policies.map((p) => p.tier),
        ['healthcare'],
      );
      const all = await api<{ policies: unknown[] }>(server, 'GET', '/v1/support/sla/policies', { token: admin.token });
      assert.equal(all.body.policies.length, 4);
      const calendars = await api<{ calendars: { id: string }[] }>(server, 'GET', '/v1/support/sla/calendars', {
        token: tenant.apiKey,
      });
      assert.deepEqual(calendars.body.calendars.map((c) => c.id).sort(), ['24x7', 'berlin', 'business-hours']);
    });

    it('bad calendars and policies → 400 naming the field; only platform admins write', async () => {
      const admin = await createStaffUser(server, 'platform_admin');
      const agent = await createStaffUser(server, 'agent');
      const tenant = await createTenant(server);
      const monday = (intervals: { start: string; end: string }[]) => ({ monday: intervals });
      const calendar = { name: 'Ops', time_zone: 'Europe/London', hours: monday([{ start: '09:00', end: '17:00' }]) };
      const badCalendars: [string, Record<string, unknown>, string][] = [
        [
          'overlapping intervals',
          {
            ...calendar,
            hours: monday([
              { start: '09:00', end: '13:00' },
              { start: '12:00', end: '17:00' },
            ]),
          },
          'hours.monday',
        ],
        ['inverted interval', { ...calendar, hours: monday([{ start: '17:00', end: '09:00' }]) }, 'hours.monday[0]'],
        ['unknown time zone', { ...calendar, time_zone: 'Europe/Atlantis' }, 'time_zone'],
        ['bad holiday format', { ...calendar, holidays: ['12/25/2026'] }, 'holidays[0]'],
      ];
      for (const [name, body, field] of badCalendars) {
        const res = await api(server, 'PUT', '/v1/support/sla/calendars/ops', { token: admin.token, body });
        assert.equal(res.status, 400, `${name}: ${res.text}`);
        assert.equal((res.body.errors as { field: string }[])[0]?.field, field, name);
      }
      const badPolicies: [string, Record<string, unknown>, string][] = [
        ['zero target', { targets: { high: { first_response_minutes: 0 } } }, 'targets.high.first_response_minutes'],
        ['negative target', { targets: { low: { resolution_minutes: -60 } } }, 'targets.low.resolution_minutes'],
        ['unknown calendar', { calendar_id: 'nowhere' }, 'calendar_id'],
      ];
      for (const [name, body, field] of badPolicies) {
        const res = await api(server, 'PUT', '/v1/support/sla/policies/standard', { token: admin.token, body });
        assert.equal(res.status, 400, `${name}: ${res.text}`);
        assert.equal((res.body.errors as { field: string }[])[0]?.field, field, name);
      }
      for (const token of [agent.token, tenant.apiKey]) {
        assert.equal(
          (await api(server, 'PUT', '/v1/support/sla/calendars/ops', { token, body: calendar })).status,
          403,
        );
        assert.equal((await api(server, 'PUT', '/v1/support/sla/policies/standard', { token, body: {} })).status, 403);
      }
      assert.equal(
        (await api(server, 'PUT', '/v1/support/sla/policies/platinum', { token: admin.token, body: {} })).status,
        400,
      );
    });

    it('a waiting-customer pause of two business days moves the due times by exactly that', async () => {
      clock.set(new Date('2026-01-05T10:00:00.000Z')); // Monday
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server, 'agent');
      const ticket = (await openTicket(server, tenant.apiKey, { priority: 'medium' })) as Sla;
      assert.equal(ticket.sla_first_response_due_at, '2026-01-07T16:00:00.000Z');
      const path = `/v1/support/tickets/${ticket.id}`;

      clock.set(new Date('2026-01-05T12:00:00.000Z'));
      const paused = await api<Sla>(server, 'PATCH', path, {
        token: agent.token,
        body: { status: 'waiting-customer' },
      });
      assert.equal(paused.status, 200, paused.text);
      assert.equal(paused.body.sla_first_response_due_at, null, 'no deadline while waiting on the customer');

      clock.set(new Date('2026-01-07T12:00:00.000Z')); // Wednesday: two business days later
      const resumed = await api<Sla>(server, 'PATCH', path, { token: agent.token, body: { status: 'in-progress' } });
      assert.equal(resumed.status, 200, resumed.text);
      for (const field of ['sla_first_response_due_at', 'sla_resolution_due_at'] as const) {
        const moved = businessTimeBetween(
          DEFAULT_BUSINESS_CALENDAR,
          Date.parse(ticket[field] as string),
          Date.parse(resumed.body[field] as string),
        );
        assert.equal(moved, 2 * 9 * HOUR, `${field} moved by two business days`);
      }
      assert.equal(resumed.body.sla_first_response_due_at, '2026-01-09T16:00:00.000Z');

      // A priority change keeps the time counted before and after the pause: 2 h + 1 h of 4 h.
      clock.set(new Date('2026-01-07T13:00:00.000Z'));
      const raised = await api<Sla>(server, 'PATCH', path, { token: agent.token, body: { priority: 'high' } });
      assert.equal(raised.body.sla_first_response_due_at, '2026-01-07T14:00:00.000Z');
      assert.deepEqual(await slaLog(server, agent.token, ticket.id), [
        'applied first_response',
        'applied resolution',
        'paused first_response',
        'paused resolution',
        'resumed first_response',
        'resumed resolution',
        'applied first_response',
        'applied resolution',
      ]);
    });
  });

  describe(`SLA due checks to a webhook receiver on ${dialect}`, () => {
    it(
      'warning then breach arrive at the injected times, once per clock; a paused clock raises nothing',
      { timeout: 60_000 },
      async () => {
        const h = await startSlaHarness(dialect, '2026-01-05T09:00:00.000Z');
        const receiver = await startReceiver();
        try {
          const tenant = await createTenant(h.server);
          const hook = await api(h.server, 'POST', '/v1/webhooks', {
            token: tenant.apiKey,
            body: { url: receiver.url('/sla'), events: ['ticket.sla_warning', 'ticket.sla_breached'] },
          });
          assert.equal(hook.status, 201, hook.text);
          const agent = await createStaffUser(h.server, 'agent');
          // High: first response in 4 business hours → warning at 80 % (12:12), breach at 13:00.
          const watched = (await openTicket(h.server, tenant.apiKey, { priority: 'high' })) as Sla;
          const paused = (await openTicket(h.server, tenant.apiKey, { priority: 'high' })) as Sla;
          assert.equal(watched.sla_first_response_due_at, '2026-01-05T13:00:00.000Z');
          await h.moveTo('2026-01-05T10:00:00.000Z');
          const pause = await api(h.server, 'PATCH', `/v1/support/tickets/${paused.id}`, {
            token: agent.token,
            body: { status: 'waiting-customer' },
          });
          assert.equal(pause.status, 200);

          await h.moveTo('2026-01-05T12:11:59.999Z');
          assert.equal(receiver.at('/sla').length, 0, 'nothing before the warning time');

          await h.moveTo('2026-01-05T12:12:00.000Z');
          await waitFor(() => receiver.at('/sla').length === 1, 15_000, 'the warning');
          const warning = JSON.parse(receiver.at('/sla')[0]!.body) as { type: string; data: Record<string, unknown> };
          assert.equal(warning.type, 'ticket.sla_warning');
          assert.equal(warning.data.clock, 'first_response');
          assert.equal(warning.data.due_at, '2026-01-05T13:00:00.000Z');
          assert.equal((warning.data.ticket as { id: string }).id, watched.id);
          const atRisk = await api<Sla>(h.server, 'GET', `/v1/support/tickets/${watched.id}`, { token: tenant.apiKey });
          assert.equal(atRisk.body.sla_status, 'at_risk');

          await h.moveTo('2026-01-05T12:59:59.999Z');
          assert.equal(receiver.at('/sla').length, 1, 'no breach before the due time');
          await h.moveTo('2026-01-05T13:00:00.000Z');
          await waitFor(() => receiver.at('/sla').length === 2, 15_000, 'the breach');
          const breach = JSON.parse(receiver.at('/sla')[1]!.body) as { type: string; data: Record<string, unknown> };
          assert.equal(breach.type, 'ticket.sla_breached');
          assert.equal(breach.data.clock, 'first_response');
          assert.equal(breach.data.due_at, '2026-01-05T13:00:00.000Z');
          const late = await api<Sla>(h.server, 'GET', `/v1/support/tickets/${watched.id}`, { token: tenant.apiKey });
          assert.equal(late.body.sla_status, 'breached');

          // Later: still once per clock; the paused ticket raised nothing.
          await h.moveTo('2026-01-05T17:00:00.000Z');
          assert.deepEqual(
            receiver.at('/sla').map((r) => (JSON.parse(r.body) as { data: { ticket: { id: string } } }).data.ticket.id),
            [watched.id, watched.id],
          );
          assert.deepEqual(await slaLog(h.server, agent.token, watched.id), [
            'applied first_response',
            'applied resolution',
            'warning first_response',
            'breached first_response',
          ]);
          const quiet = await api<Sla>(h.server, 'GET', `/v1/support/tickets/${paused.id}`, { token: tenant.apiKey });
          assert.equal(quiet.body.sla_status, 'on_track');
        } finally {
          await h.close();
          await receiver.close();
        }
      },
    );
  });
}
