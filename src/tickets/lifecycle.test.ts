import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import { createEventDispatcher } from '../events/processors.ts';
import { enqueueJob, JobRunner } from '../jobs/index.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { AUTO_CLOSE_JOB, autoCloseDueAt, DAY_MS, ticketLifecycleJobs } from './lifecycle.ts';
import { api, openTicket, ticketEvents } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';

type HistoryList = { history: { field: string; from: unknown; to: unknown; actor_role: string }[] };
type Comment = { id: string; ticket_id: string; body: string; author_role: string };

describe('auto-close timing (pure)', () => {
  it('is the resolution time plus the period, to the millisecond', () => {
    assert.equal(autoCloseDueAt('2026-03-01T10:00:00.000Z', 7 * DAY_MS).toISOString(), '2026-03-08T10:00:00.000Z');
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`ticket lifecycle automation on ${dialect}`, () => {
    const clock = manualClock(new Date('2026-03-02T09:00:00.000Z'));
    let server: TestServer;
    let runner: JobRunner;
    before(async () => {
      // Sessions outlive the days the clock moves forward here.
      server = await startTestServer(dialect, { clock, env: { SESSION_TTL_HOURS: String(24 * 90) } });
      // Only the lifecycle jobs (and event dispatch, to no processor) run here, on the test clock.
      runner = new JobRunner({
        handle: server.database,
        clock,
        handlers: { ...ticketLifecycleJobs({ autoCloseMs: 7 * DAY_MS }), ...createEventDispatcher([]) },
      });
    });
    after(async () => {
      await server.close();
    });

    const get = async (id: string, token: string) =>
      (await api<TicketJson>(server, 'GET', `/v1/support/tickets/${id}`, { token })).body;
    const patch = (id: string, token: string, body: Record<string, unknown>) =>
      api<TicketJson>(server, 'PATCH', `/v1/support/tickets/${id}`, { token, body });
    const autoCloseJobs = (ticketId: string) =>
      server.database.db
        .selectFrom('jobs')
        .select(['run_at', 'payload'])
        .where('name', '=', AUTO_CLOSE_JOB)
        .where('payload', 'like', `%${ticketId}%`)
        .execute();

    it('a resolved ticket closes itself exactly when the period is over, by the system, with ticket.closed', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const resolved = await patch(ticket.id, agent.token, { status: 'resolved' });
      assert.equal(resolved.status, 200);
      const jobs = await autoCloseJobs(ticket.id);
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0]?.run_at, autoCloseDueAt(String(resolved.body.resolved_at), 7 * DAY_MS).toISOString());

      clock.advance(7 * DAY_MS - 1_000);
      await runner.drain();
      assert.equal((await get(ticket.id, tenant.apiKey)).status, 'resolved');

      clock.advance(1_000);
      await runner.drain();
      const closed = await get(ticket.id, tenant.apiKey);
      assert.equal(closed.status, 'closed');
      assert.equal(closed.closed_at, clock().toISOString());
      assert.equal(closed.version, resolved.body.version + 1);
      assert.equal((await autoCloseJobs(ticket.id)).length, 0, 'the job is done and gone');
      const history = await api<HistoryList>(server, 'GET', `/v1/support/tickets/${ticket.id}/history`, {
        token: tenant.apiKey,
      });
      assert.deepEqual(history.body.history.at(-1), {
        ...history.body.history.at(-1),
        field: 'status',
        from: 'resolved',
        to: 'closed',
        actor_role: 'system',
      });
      const events = (await ticketEvents(server, tenant.customerId)).map((e) => e.type);
      assert.deepEqual(events.slice(-2), ['ticket.updated', 'ticket.closed']);
    });

    it('a reopen voids the first schedule; the second resolution closes on its own schedule', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      const ticket = await openTicket(server, tenant.apiKey);
      await patch(ticket.id, agent.token, { status: 'resolved' });
      clock.advance(3 * DAY_MS);
      const reply = await api<Comment>(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        token: tenant.apiKey,
        body: { body: 'Still failing here.' },
      });
      assert.equal(reply.body.ticket_id, ticket.id, 'within the window the reply stays on the ticket');
      assert.equal((await get(ticket.id, tenant.apiKey)).status, 'open');
      clock.advance(1 * DAY_MS);
      const second = await patch(ticket.id, agent.token, { status: 'resolved' });
      assert.equal((await autoCloseJobs(ticket.id)).length, 2);

      clock.advance(3 * DAY_MS); // the first schedule's time: nothing happens
      await runner.drain();
      assert.equal((await get(ticket.id, tenant.apiKey)).status, 'resolved');
      assert.equal((await autoCloseJobs(ticket.id)).length, 1);

      clock.set(autoCloseDueAt(String(second.body.resolved_at), 7 * DAY_MS));
      await runner.drain();
      assert.equal((await get(ticket.id, tenant.apiKey)).status, 'closed');
    });

    it('a job run before its time (the upgrade backfill) waits out the period instead of closing', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const resolved = await patch(ticket.id, agent.token, { status: 'resolved' });
      const resolvedAt = String(resolved.body.resolved_at);
      await server.database.db.deleteFrom('jobs').where('name', '=', AUTO_CLOSE_JOB).execute();
      await enqueueJob(
        server.database.db,
        { name: AUTO_CLOSE_JOB, payload: { ticketId: ticket.id, resolvedAt }, runAt: new Date(resolvedAt) },
        clock(),
      );
      await runner.drain();
      assert.equal((await get(ticket.id, tenant.apiKey)).status, 'resolved');
      const [job] = await autoCloseJobs(ticket.id);
      assert.equal(job?.run_at, autoCloseDueAt(resolvedAt, 7 * DAY_MS).toISOString());
      clock.set(autoCloseDueAt(resolvedAt, 7 * DAY_MS));
      await runner.drain();
      assert.equal((await get(ticket.id, tenant.apiKey)).status, 'closed');
    });

    it('a customer reply to a closed ticket opens a follow-up linked both ways, the reply its first comment', async () => {
      const tenant = await createTenant(server);
      const customer = await createCustomerUser(server, tenant.customerId);
      const agent = await createStaffUser(server);
      const old = await openTicket(server, customer.token, { priority: 'high', category: 'billing', tags: ['sso'] });
      await patch(old.id, agent.token, { assignee_id: agent.userId });
      await patch(old.id, agent.token, { status: 'resolved' });
      clock.advance(7 * DAY_MS);
      await runner.drain();
      assert.equal((await get(old.id, customer.token)).status, 'closed');

      const reply = await api<Comment>(server, 'POST', `/v1/support/tickets/${old.id}/comments`, {
        token: customer.token,
        body: { body: 'The invoice is wrong again.' },
      });
      assert.equal(reply.status, 201);
      assert.notEqual(reply.body.ticket_id, old.id);
      const followUp = await api<TicketJson & { comments: Comment[] }>(
        server,
        'GET',
        `/v1/support/tickets/${reply.body.ticket_id}`,
        { token: customer.token },
      );
      assert.equal(followUp.body.follow_up_of, old.id);
      assert.equal(followUp.body.status, 'open');
      assert.equal(followUp.body.number, old.number + 1);
      assert.equal(followUp.body.subject, `Follow-up to ${old.reference}: ${String(old.subject)}`);
      assert.equal(followUp.body.priority, 'high');
      assert.equal(followUp.body.category, 'billing');
      assert.deepEqual(followUp.body.tags, ['sso']);
      assert.equal(followUp.body.assignee_id, null, 'it joins the unassigned queue');
      assert.equal(followUp.body.comment_count, 1);
      assert.deepEqual(
        followUp.body.comments.map((c) => [c.id, c.body, c.author_role]),
        [[reply.body.id, 'The invoice is wrong again.', 'customer']],
      );

      const oldView = await api<TicketJson & { follow_ups: { id: string; reference: string }[] }>(
        server,
        'GET',
        `/v1/support/tickets/${old.id}`,
        { token: agent.token },
      );
      assert.equal(oldView.body.status, 'closed', 'the closed ticket stays closed');
      assert.equal(oldView.body.comment_count, 0);
      assert.deepEqual(
        oldView.body.follow_ups.map((f) => [f.id, f.reference]),
        [[followUp.body.id, followUp.body.reference]],
      );
      const history = await api<HistoryList>(server, 'GET', `/v1/support/tickets/${old.id}/history`, {
        token: customer.token,
      });
      assert.deepEqual(history.body.history.map((h) => [h.field, h.to]).at(-1), ['follow_up', followUp.body.reference]);
      const events = (await ticketEvents(server, tenant.customerId)).slice(-2);
      assert.deepEqual(
        events.map((e) => e.type),
        ['ticket.created', 'ticket.commented'],
      );
      const created = events[0]?.data.ticket as { id: string; follow_up_of: string };
      assert.deepEqual([created.id, created.follow_up_of], [followUp.body.id, old.id]);

      const staffReply = await api(server, 'POST', `/v1/support/tickets/${old.id}/comments`, {
        token: agent.token,
        body: { body: 'Staff cannot reply on a closed ticket.' },
      });
      assert.equal(staffReply.status, 409);
    });

    it("a customer's public reply moves waiting-customer back: in-progress when assigned, open when not", async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server);
      const assigned = await openTicket(server, tenant.apiKey);
      const unassigned = await openTicket(server, tenant.apiKey);
      await patch(assigned.id, agent.token, { assignee_id: agent.userId });
      for (const ticket of [assigned, unassigned]) {
        await patch(ticket.id, agent.token, { status: 'waiting-customer' });
        await api(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
          token: tenant.apiKey,
          body: { body: 'Here are the logs.' },
        });
      }
      assert.equal((await get(assigned.id, tenant.apiKey)).status, 'in-progress');
      assert.equal((await get(unassigned.id, tenant.apiKey)).status, 'open');
    });
  });
}
