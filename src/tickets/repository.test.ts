import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '../database/ids.ts';
import type { TenantScope } from '../identity/auth-context.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { newCommentId, newTicketId } from './ids.ts';
import { ticketRepository, ticketSortKey, ticketSystemRepository } from './repository.ts';
import type { Ticket } from './repository.ts';

const NOW = new Date('2026-01-05T10:00:00.000Z');
const ISO = NOW.toISOString();

function ticketRow(customerId: string, number: number, overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: newTicketId(NOW),
    customer_id: customerId,
    number,
    subject: 'Subject',
    description: 'A description long enough.',
    priority: 'medium',
    category: 'general',
    status: 'open',
    created_by: 'someone',
    assignee_id: null,
    tags: '[]',
    created_at: ISO,
    updated_at: ISO,
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    last_activity_at: ISO,
    comment_count: 0,
    internal_comment_count: 0,
    sla_first_response_due_at: null,
    sla_resolution_due_at: null,
    sla_status: 'on_track',
    sla_clocks: null,
    follow_up_of: null,
    version: 1,
    ...overrides,
  };
}

// The scope is bound when the repository is made: these check that no method can step out of it,
// below the HTTP layer (tenancy.test.ts checks the same boundary from outside).
for (const dialect of TEST_DIALECTS) {
  describe(`ticket repositories on ${dialect}`, () => {
    let database: TestDatabase;
    const tenantA = uuidv7();
    const tenantB = uuidv7();
    const scopeOfTenant = (customerId: string): TenantScope => ({ kind: 'tenant', customerId });
    before(async () => {
      database = await createTestDatabase(dialect);
      for (const id of [tenantA, tenantB]) {
        await database.db
          .insertInto('customers')
          .values({
            id,
            name: id,
            tier: 'standard',
            status: 'active',
            last_ticket_number: 1000,
            created_at: ISO,
            updated_at: ISO,
          })
          .execute();
      }
    });
    after(async () => {
      await database.destroy();
    });

    it("a tenant-bound repository neither reads nor writes another tenant's rows", async () => {
      const repoA = ticketRepository(database.db, scopeOfTenant(tenantA));
      const repoB = ticketRepository(database.db, scopeOfTenant(tenantB));
      const number = await repoB.nextNumber();
      assert.equal(number, 1001);
      const ticketB = ticketRow(tenantB, number ?? 0);
      await repoB.insert(ticketB);

      assert.deepEqual(await repoA.find({ id: ticketB.id }), []);
      assert.deepEqual(await repoA.find({ number: ticketB.number }), []);
      assert.equal(await repoA.update(ticketB.id, 1, { category: 'billing' }), undefined);
      await repoA.countInternalNote(ticketB.id);
      const comment = {
        id: newCommentId(NOW),
        ticket_id: ticketB.id,
        customer_id: tenantB,
        author_id: 'x',
        author_role: 'staff' as const,
        body: 'Hi',
        visibility: 'public' as const,
        created_at: ISO,
      };
      await assert.rejects(repoA.insertComment(comment), /outside the bound tenant scope/);
      await repoB.insertComment(comment);
      assert.deepEqual(await repoA.listComments(ticketB.id, true, {}), []);
      assert.deepEqual(await repoA.listHistory(ticketB.id, true, {}), []);
      assert.deepEqual(await repoA.list({}, ticketSortKey('created_at'), {}), []);

      const [stored] = await repoB.find({ id: ticketB.id });
      assert.equal(stored?.category, 'general');
      assert.equal(stored?.internal_comment_count, 0);
      assert.equal((await repoB.listComments(ticketB.id, true, {})).length, 1);
    });

    it('staff see every tenant, a staff filter narrows it, and inserting needs a named tenant', async () => {
      const repoA = ticketRepository(database.db, scopeOfTenant(tenantA));
      const ticketA = ticketRow(tenantA, (await repoA.nextNumber()) ?? 0);
      await repoA.insert(ticketA);
      const everyTenant = ticketRepository(database.db, { kind: 'all_tenants' });
      assert.equal((await everyTenant.find({ id: ticketA.id })).length, 1);
      assert.deepEqual(
        await ticketRepository(database.db, { kind: 'all_tenants', customerId: tenantB }).find({ id: ticketA.id }),
        [],
      );
      await assert.rejects(everyTenant.nextNumber(), /scope naming one tenant/);
      await assert.rejects(everyTenant.insert(ticketRow(tenantA, 1)), /scope naming one tenant/);
    });

    it('the system repository purges closed tickets of every tenant, and only those', async () => {
      const longAgo = '2025-01-01T00:00:00.000Z';
      const closedA = ticketRow(tenantA, 5001, { status: 'closed', closed_at: longAgo });
      const closedB = ticketRow(tenantB, 5001, { status: 'closed', closed_at: longAgo });
      const openB = ticketRow(tenantB, 5002, { created_at: longAgo });
      await ticketRepository(database.db, scopeOfTenant(tenantA)).insert(closedA);
      for (const row of [closedB, openB]) await ticketRepository(database.db, scopeOfTenant(tenantB)).insert(row);
      assert.equal(
        await ticketSystemRepository(database.db).purgeClosedBefore(
          '2025-06-01T00:00:00.000Z',
          100,
          '2025-06-02T00:00:00.000Z',
        ),
        2,
      );
      const left = await database.db
        .selectFrom('tickets')
        .select('id')
        .where('id', 'in', [closedA.id, closedB.id, openB.id])
        .execute();
      assert.deepEqual(
        left.map((row) => row.id),
        [openB.id],
      );
    });
  });
}
