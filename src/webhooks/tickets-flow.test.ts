import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startHarness, tenantWithEndpoint, waitFor, waitForDueWork } from './testing/harness.ts';
import { startReceiver } from './testing/receiver.ts';

const NOTE = 'INTERNAL-ONLY: customer is on the watch list';

for (const dialect of TEST_DIALECTS) {
  describe(`ticket events to webhooks on ${dialect}`, () => {
    it(
      'created, commented, updated and resolved tickets reach a subscribed endpoint; internal notes never do',
      { timeout: 60_000 },
      async () => {
        const h = await startHarness(dialect);
        const receiver = await startReceiver();
        try {
          const t = await tenantWithEndpoint(h.server, receiver.url('/tickets'), ['*']);
          const agent = await createStaffUser(h.server, 'agent');
          const created = await request<{ id: string }>(h.server.baseUrl, 'POST', '/v1/support/tickets', {
            token: t.apiKey,
            body: {
              subject: 'Webhook flow test',
              description: 'A ticket whose events must reach the webhook endpoint.',
            },
          });
          assert.equal(created.status, 201, created.text);
          const id = created.body.id;
          assert.equal(
            (
              await request(h.server.baseUrl, 'POST', `/v1/support/tickets/${id}/comments`, {
                token: agent.token,
                body: { body: NOTE, visibility: 'internal' },
              })
            ).status,
            201,
          );
          assert.equal(
            (
              await request(h.server.baseUrl, 'POST', `/v1/support/tickets/${id}/comments`, {
                token: agent.token,
                body: { body: 'We are looking into it.' },
              })
            ).status,
            201,
          );
          assert.equal(
            (
              await request(h.server.baseUrl, 'POST', `/v1/support/tickets/${id}/comments`, {
                token: t.apiKey,
                body: { body: 'Thanks!' },
              })
            ).status,
            201,
          );
          const resolved = await request(h.server.baseUrl, 'PATCH', `/v1/support/tickets/${id}`, {
            token: agent.token,
            body: { status: 'resolved' },
          });
          assert.equal(resolved.status, 200, resolved.text);
          const types = () => receiver.at('/tickets').map((r) => String(r.headers['x-securebase-event']));
          await waitFor(
            () => types().includes('ticket.resolved') && types().filter((x) => x === 'ticket.commented').length === 2,
            15_000,
            'the ticket events',
          );
          await waitForDueWork(h.server);
          const got = types();
          for (const type of ['ticket.created', 'ticket.commented', 'ticket.updated', 'ticket.resolved'])
            assert.ok(got.includes(type), `${type} in ${got.join(', ')}`);
          assert.equal(
            got.filter((x) => x === 'ticket.commented').length,
            2,
            'two public comments, no event for the internal note',
          );
          const verifier = new Webhook(t.secret);
          for (const r of receiver.at('/tickets')) {
            verifier.verify(r.body, Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)])));
            assert.ok(!r.body.includes(NOTE), 'no internal note text');
            assert.ok(!r.body.includes('internal_comment_count'), 'no staff-only counters');
            assert.ok(!r.body.includes('"visibility":"internal"'));
            const body = JSON.parse(r.body) as { type: string; data: { ticket: { id: string } } };
            // The requester's own notifications about the ticket arrive too, as notification.created.
            if (body.type.startsWith('ticket.')) assert.equal(body.data.ticket.id, id);
          }
        } finally {
          await h.close();
          await receiver.close();
        }
      },
    );
  });
}
