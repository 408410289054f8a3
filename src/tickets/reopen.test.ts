import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';

const DAY = 24 * 3_600_000;

for (const dialect of TEST_DIALECTS) {
  describe(`ticket reopen window and concurrency on ${dialect}`, () => {
    const clock = manualClock(new Date());
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { clock });
    });
    after(async () => {
      await server.close();
    });

    it('a customer reopens within the window; after it, a reply opens a follow-up and a reopen is 409 with a hint', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server, 'agent');
      const early = await openTicket(server, tenant.apiKey);
      const late = await openTicket(server, tenant.apiKey);
      for (const ticket of [early, late]) {
        assert.equal(
          (
            await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
              token: agent.token,
              body: { status: 'resolved' },
            })
          ).status,
          200,
        );
      }
      clock.advance(6 * DAY);
      const reopened = await api<TicketJson>(server, 'PATCH', `/v1/support/tickets/${early.id}`, {
        token: tenant.apiKey,
        body: { status: 'open' },
      });
      assert.equal(reopened.status, 200);
      assert.equal(reopened.body.status, 'open');
      clock.advance(2 * DAY);
      const reply = await api<{ ticket_id: string }>(server, 'POST', `/v1/support/tickets/${late.id}/comments`, {
        token: tenant.apiKey,
        body: { body: 'It broke again' },
      });
      assert.equal(reply.status, 201);
      assert.notEqual(reply.body.ticket_id, late.id);
      const patch = await api(server, 'PATCH', `/v1/support/tickets/${late.id}`, {
        token: tenant.apiKey,
        body: { status: 'open' },
      });
      assert.equal(patch.status, 409);
      assert.match(String(patch.body.hint), /reopen window/);
      const closed = await api<TicketJson>(server, 'PATCH', `/v1/support/tickets/${late.id}`, {
        token: tenant.apiKey,
        body: { status: 'closed' },
      });
      assert.equal(closed.body.status, 'closed');
    });

    it('a customer reply on an unassigned waiting-customer ticket moves it back to open', async () => {
      const tenant = await createTenant(server);
      const agent = await createStaffUser(server, 'agent');
      const ticket = await openTicket(server, tenant.apiKey);
      await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
        token: agent.token,
        body: { status: 'waiting-customer' },
      });
      await api(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        token: tenant.apiKey,
        body: { text: 'Here you go' },
      });
      const after = await api<TicketJson>(server, 'GET', `/v1/support/tickets/${ticket.id}`, { token: tenant.apiKey });
      assert.equal(after.body.status, 'open');
      assert.equal(after.body.comment_count, 1);
    });

    it('concurrent creates get distinct consecutive numbers; concurrent updates all land', async () => {
      const tenant = await createTenant(server);
      const created = await Promise.all(Array.from({ length: 12 }, () => openTicket(server, tenant.apiKey)));
      assert.deepEqual(
        created.map((t) => t.number).sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => 1001 + i),
      );
      const target = created[0] as TicketJson;
      const tags = Array.from({ length: 6 }, (_, i) => [`t${i}`]);
      const results = await Promise.all(
        tags.map((tag) =>
          api(server, 'PATCH', `/v1/support/tickets/${target.id}`, { token: tenant.apiKey, body: { tags: tag } }),
        ),
      );
      assert.ok(
        results.every((r) => r.status === 200),
        JSON.stringify(results.map((r) => r.status)),
      );
      const history = await api<{ history: { field: string }[] }>(
        server,
        'GET',
        `/v1/support/tickets/${target.id}/history`,
        { token: tenant.apiKey },
      );
      assert.equal(history.body.history.filter((h) => h.field === 'tags').length, 6);
      const final = await api<TicketJson>(server, 'GET', `/v1/support/tickets/${target.id}`, { token: tenant.apiKey });
      assert.equal(final.body.version, 7);
    });
  });
}
