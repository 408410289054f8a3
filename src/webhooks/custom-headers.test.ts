import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../database/migrations/index.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { emit } from './testing/events.ts';
import { startHarness, tenantWithEndpoint, waitFor } from './testing/harness.ts';
import type { WebhookHarness } from './testing/harness.ts';
import { startReceiver } from './testing/receiver.ts';
import type { Receiver } from './testing/receiver.ts';
import type { EndpointId } from './ids.ts';

const TOKEN = 'Bearer receiver-token-7f3a9c1d';
const DATA = { metric: 'api', usage: 2, threshold: 1 };
type View = { id: string; headers: Record<string, string> };

for (const dialect of TEST_DIALECTS) {
  describe(`webhook custom headers on ${dialect}`, () => {
    let h: WebhookHarness;
    let receiver: Receiver;
    before(async () => {
      h = await startHarness(dialect);
      receiver = await startReceiver();
    });
    after(async () => {
      await h.close();
      await receiver.close();
    });
    const db = () => h.server.ctx.database.db;
    const storedColumn = async (id: EndpointId) =>
      (
        await db()
          .selectFrom('webhook_endpoints')
          .select('custom_headers')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).custom_headers;

    /** Emits one event and returns the request the receiver got on `path`. */
    async function deliverOne(customerId: string, path: string) {
      const before = receiver.at(path).length;
      await emit(h.server, customerId, 'usage.threshold_exceeded', DATA);
      await waitFor(() => receiver.at(path).length > before, 15_000, `a delivery to ${path}`);
      return receiver.at(path)[before];
    }

    it('are stored encrypted, shown masked to every role, and sent with their real values', async () => {
      const path = `/auth-${dialect}`;
      const headers = { Authorization: TOKEN, 'X-Team': 'billing' };
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['*'], { headers });
      const column = await storedColumn(t.webhookId);
      assert.ok(!column.includes('receiver-token') && !column.includes('billing'), `stored in clear: ${column}`);
      assert.deepEqual(Object.keys(JSON.parse(column) as object).sort(), ['authorization', 'x-team']);

      const tokens = [t.apiKey];
      for (const role of ['owner', 'admin', 'member', 'viewer'] as const)
        tokens.push((await createCustomerUser(h.server, t.customerId, role)).token);
      for (const token of tokens) {
        const one = await request<View>(h.server.baseUrl, 'GET', `/v1/webhooks/${t.webhookId}`, { token });
        assert.equal(one.status, 200);
        assert.deepEqual(one.body.headers, { authorization: '[redacted]', 'x-team': '[redacted]' });
        const list = await request<{ webhooks: View[] }>(h.server.baseUrl, 'GET', '/v1/webhooks', { token });
        assert.deepEqual(list.body.webhooks[0]?.headers, { authorization: '[redacted]', 'x-team': '[redacted]' });
        assert.ok(!list.text.includes('receiver-token') && !list.text.includes('billing'));
      }

      const sent = await deliverOne(t.customerId, path);
      assert.equal(sent?.headers.authorization, TOKEN);
      assert.equal(sent?.headers['x-team'], 'billing');
    });

    it('keep a stored value when an update sends the mask back, and refuse the mask for a new name', async () => {
      const path = `/patch-${dialect}`;
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['*'], { headers: { authorization: TOKEN } });
      const read = await request<View>(h.server.baseUrl, 'GET', `/v1/webhooks/${t.webhookId}`, { token: t.apiKey });
      const patched = await request<View>(h.server.baseUrl, 'PATCH', `/v1/webhooks/${t.webhookId}`, {
        token: t.apiKey,
        body: { headers: { ...read.body.headers, 'x-region': 'eu' } },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual(patched.body.headers, { authorization: '[redacted]', 'x-region': '[redacted]' });
      const sent = await deliverOne(t.customerId, path);
      assert.equal(sent?.headers.authorization, TOKEN);
      assert.equal(sent?.headers['x-region'], 'eu');

      const refused = await request<{ errors?: { field: string }[] }>(
        h.server.baseUrl,
        'PATCH',
        `/v1/webhooks/${t.webhookId}`,
        {
          token: t.apiKey,
          body: { headers: { 'x-new': '[redacted]' } },
        },
      );
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors?.[0]?.field, 'headers');
    });

    it('stored in plaintext before the migration are sealed by it and still sent', async () => {
      const path = `/legacy-${dialect}`;
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['*']);
      await db()
        .updateTable('webhook_endpoints')
        .set({ custom_headers: JSON.stringify({ authorization: TOKEN }) })
        .where('id', '=', t.webhookId)
        .execute();
      await sql`delete from securebase_migrations where name = '006_webhook_header_encryption'`.execute(db());
      const keyRing = h.server.ctx.keyRing;
      assert.deepEqual(await migrateToLatest(db(), { keyRing: () => keyRing }), ['006_webhook_header_encryption']);
      const column = await storedColumn(t.webhookId);
      assert.ok(!column.includes('receiver-token'), `stored in clear: ${column}`);
      const read = await request<View>(h.server.baseUrl, 'GET', `/v1/webhooks/${t.webhookId}`, { token: t.apiKey });
      assert.deepEqual(read.body.headers, { authorization: '[redacted]' });
      const sent = await deliverOne(t.customerId, path);
      assert.equal(sent?.headers.authorization, TOKEN);
    });
  });
}
