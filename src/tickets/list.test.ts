import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';

type TicketList = { tickets: TicketJson[]; next_cursor: string | null; has_more: boolean };

for (const dialect of TEST_DIALECTS) {
  describe(`ticket list on ${dialect}`, () => {
    let server: TestServer;
    let tenant: Awaited<ReturnType<typeof createTenant>>;
    let agent: Awaited<ReturnType<typeof createStaffUser>>;
    const created: TicketJson[] = [];
    const list = (query: string, token = tenant.apiKey) =>
      api<TicketList>(server, 'GET', `/v1/support/tickets?${query}`, { token });

    /** Follows next_cursor to the end, checking that no page is short while more exist. */
    async function collect(query: string, limit: number, token = tenant.apiKey): Promise<TicketJson[]> {
      const all: TicketJson[] = [];
      let cursor: string | null = null;
      for (;;) {
        const page: Awaited<ReturnType<typeof list>> = await list(
          `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          token,
        );
        assert.equal(page.status, 200, page.text);
        if (page.body.has_more) assert.equal(page.body.tickets.length, limit, 'pages are full while more exist');
        all.push(...page.body.tickets);
        if (!page.body.has_more) {
          assert.equal(page.body.next_cursor, null);
          return all;
        }
        cursor = page.body.next_cursor;
      }
    }

    before(async () => {
      server = await startTestServer(dialect);
      tenant = await createTenant(server);
      agent = await createStaffUser(server, 'agent');
      const priorities = ['low', 'medium', 'high', 'critical'];
      const categories = ['general', 'billing', 'technical'];
      for (let i = 0; i < 15; i++) {
        created.push(
          await openTicket(server, tenant.apiKey, {
            priority: priorities[i % 4],
            category: categories[i % 3],
            subject: `Ticket number ${i}`,
          }),
        );
      }
      // Some statuses and an assignee, set by staff.
      for (const ticket of created.slice(0, 4)) {
        await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
          token: agent.token,
          body: { status: 'in-progress', assignee_id: agent.userId },
        });
      }
      for (const ticket of created.slice(4, 7)) {
        await api(server, 'PATCH', `/v1/support/tickets/${ticket.id}`, {
          token: tenant.apiKey,
          body: { status: 'resolved' },
        });
      }
      // Noise in another tenant that must never appear.
      const other = await createTenant(server);
      await openTicket(server, other.apiKey, { priority: 'critical' });
    });
    after(async () => {
      await server.close();
    });

    it('defaults to newest first and pages through everything exactly once', async () => {
      const all = await collect('', 4);
      assert.deepEqual(
        all.map((t) => t.id),
        [...created].reverse().map((t) => t.id),
      );
      const ascending = await collect('sort=created_at', 6);
      assert.deepEqual(
        ascending.map((t) => t.id),
        created.map((t) => t.id),
      );
    });

    it('filters apply before the limit (status one or several, priority, category, assignee)', async () => {
      const open = await collect('status=open', 2);
      assert.equal(open.length, 8);
      assert.ok(open.every((t) => t.status === 'open'));
      const several = await collect('status=in-progress&status=resolved', 3);
      assert.equal(several.length, 7);
      const comma = await collect('status=in-progress,resolved', 3);
      assert.deepEqual(
        comma.map((t) => t.id),
        several.map((t) => t.id),
      );
      const critical = await collect('priority=critical', 1);
      assert.deepEqual(
        critical.map((t) => t.id).sort(),
        created
          .filter((t) => t.priority === 'critical')
          .map((t) => t.id)
          .sort(),
      );
      const billing = await collect('category=billing', 2);
      assert.equal(billing.length, 5);
      const assigned = await collect('assignee=me', 2, agent.token);
      assert.equal(assigned.length, 4);
      const byId = await collect(`assignee=${agent.userId}`, 2);
      assert.equal(byId.length, 4);
      const unassigned = await collect('assignee=none', 5);
      assert.equal(unassigned.length, 11);
      const combined = await collect('status=in-progress&priority=low', 5);
      assert.deepEqual(
        combined.map((t) => t.id),
        [created[0]?.id],
      );
    });

    it('created_after / created_before bound the creation time', async () => {
      const middle = created[7] as TicketJson;
      const after = await collect(`created_after=${encodeURIComponent(String(middle.created_at))}`, 3);
      assert.ok(after.length >= 8 && after.every((t) => String(t.created_at) >= String(middle.created_at)));
      const beforeList = await collect(`created_before=${encodeURIComponent(String(middle.created_at))}`, 3);
      assert.ok(beforeList.every((t) => String(t.created_at) < String(middle.created_at)));
      assert.equal(after.length + beforeList.length, 15);
    });

    it('sorts by priority and updated_at in both directions with a stable tiebreaker', async () => {
      const rank = { low: 0, medium: 1, high: 2, critical: 3 } as Record<string, number>;
      const desc = await collect('sort=-priority', 4);
      assert.equal(desc.length, 15);
      for (let i = 1; i < desc.length; i++)
        assert.ok((rank[String(desc[i - 1]?.priority)] ?? 0) >= (rank[String(desc[i]?.priority)] ?? 0));
      const asc = await collect('sort=priority', 4);
      assert.deepEqual(
        asc.map((t) => t.id),
        [...desc].reverse().map((t) => t.id),
      );
      const updated = await collect('sort=-updated_at', 4);
      assert.equal(updated.length, 15);
      for (let i = 1; i < updated.length; i++)
        assert.ok(String(updated[i - 1]?.updated_at) >= String(updated[i]?.updated_at));
      assert.equal(new Set(updated.map((t) => t.id)).size, 15);
      const updatedAsc = await collect('sort=updated_at', 7);
      assert.deepEqual(
        updatedAsc.map((t) => t.id),
        [...updated].reverse().map((t) => t.id),
      );
    });

    it('a cursor from one sort is refused by another', async () => {
      const page = await list('sort=priority&limit=2');
      const other = await list(`sort=-created_at&cursor=${page.body.next_cursor}`);
      assert.equal(other.status, 400);
    });

    it('staff see all tenants unless they filter by customer_id', async () => {
      const everything = await collect('', 50, agent.token);
      assert.ok(everything.length >= 16);
      const one = await collect(`customer_id=${tenant.customerId}`, 50, agent.token);
      assert.equal(one.length, 15);
      assert.ok(one.every((t) => t.customer_id === tenant.customerId));
    });
  });
}
