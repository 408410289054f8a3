import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobRunner } from '../jobs/index.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import type { TicketId } from './ids.ts';
import { attachmentStore } from './attachments/store.ts';
import { filesOnDisk, upload } from './attachments/test-helpers.ts';
import { ticketRetention } from './retention.ts';

const DAY = 86_400_000;

for (const dialect of TEST_DIALECTS) {
  describe(`closed-ticket retention on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('deletes tickets closed longer ago than the retention, with their comments, history, files and search documents, and never open ones', async () => {
      const tenant = await createTenant(server);
      const customer = await createCustomerUser(server, tenant.customerId);
      const agent = await createStaffUser(server);
      const create = async (subject: string) =>
        (
          await request<{ id: TicketId }>(server.baseUrl, 'POST', '/v1/support/tickets', {
            token: customer.token,
            body: { subject, description: 'A description that is long enough.' },
          })
        ).body.id;
      const oldClosed = await create('Closed long ago');
      const recentClosed = await create('Closed recently');
      const oldOpen = await create('Open for ages');
      const files: Record<string, string> = {};
      for (const id of [oldClosed, recentClosed]) {
        const attached = await upload(server, customer.token, id);
        assert.equal(attached.status, 201, attached.text);
        files[id] = attached.body.id;
        await request(server.baseUrl, 'POST', `/v1/support/tickets/${id}/comments`, {
          token: agent.token,
          body: { body: 'Fixed on our side.' },
        });
        await request(server.baseUrl, 'PATCH', `/v1/support/tickets/${id}`, {
          token: agent.token,
          body: { status: 'resolved' },
        });
        assert.equal(
          (
            await request(server.baseUrl, 'PATCH', `/v1/support/tickets/${id}`, {
              token: customer.token,
              body: { status: 'closed' },
            })
          ).status,
          200,
        );
      }
      const { db } = server.database;
      const longAgo = new Date(Date.now() - 100 * DAY).toISOString();
      await db.updateTable('tickets').set({ closed_at: longAgo }).where('id', '=', oldClosed).execute();
      await db.updateTable('tickets').set({ created_at: longAgo }).where('id', '=', oldOpen).execute();

      await db.deleteFrom('jobs').execute(); // only the sweep runs here
      await db
        .insertInto('jobs')
        .values({
          id: 'sweep-1',
          name: 'tickets.retention',
          payload: '{}',
          status: 'pending',
          run_at: new Date(0).toISOString(),
          attempts: 0,
          max_attempts: 3,
          locked_by: null,
          locked_until: null,
          last_error: null,
          unique_key: null,
          created_at: longAgo,
          updated_at: longAgo,
        })
        .execute();
      const onDisk = () => filesOnDisk(server).map((path) => path.split('/').pop());
      assert.ok(onDisk().includes(files[oldClosed]));
      const runner = new JobRunner({
        handle: server.database,
        handlers: ticketRetention(90, attachmentStore(server.ctx.config.dataDir)),
      });
      assert.equal(await runner.runOnce(), 1);

      const remaining = (
        await db.selectFrom('tickets').select('id').where('customer_id', '=', tenant.customerId).execute()
      )
        .map((r) => r.id)
        .sort();
      assert.deepEqual(remaining, [recentClosed, oldOpen].sort());
      assert.equal(
        (await db.selectFrom('ticket_comments').select('id').where('ticket_id', '=', oldClosed).execute()).length,
        0,
      );
      assert.equal(
        (await db.selectFrom('ticket_history').select('id').where('ticket_id', '=', oldClosed).execute()).length,
        0,
      );
      assert.ok(
        (await db.selectFrom('ticket_comments').select('id').where('ticket_id', '=', recentClosed).execute()).length >
          0,
      );
      assert.deepEqual(onDisk(), [files[recentClosed]], 'the purged ticket’s file is gone, the other one stays');
      assert.deepEqual(await db.selectFrom('ticket_attachment_purges').selectAll().execute(), []);
      const search = await request<{ tickets: { id: string }[] }>(
        server.baseUrl,
        'GET',
        `/v1/support/tickets?q=closed&customer_id=${tenant.customerId}`,
        { token: agent.token },
      );
      assert.deepEqual(
        search.body.tickets.map((t) => t.id),
        [recentClosed],
      );
    });
  });
}
