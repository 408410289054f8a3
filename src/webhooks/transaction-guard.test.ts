import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestDatabase } from '../testing/database.ts';
import { DEFAULT_WEBHOOK_POLICY } from './policy.ts';
import { WebhookTransport } from './transport.ts';
import { checkUrl } from './validation.ts';

// Network work inside a transaction would hold every SQLite group mate (and PostgreSQL row locks)
// for as long as the receiver or the resolver takes.
describe('webhook network work and database transactions', () => {
  it('refuses an HTTP attempt or a DNS lookup inside a transaction', async () => {
    const database = await createTestDatabase('sqlite');
    const transport = new WebhookTransport();
    try {
      const input = {
        url: 'https://hooks.example.com/in',
        bodyBytes: '{}',
        headers: {},
        policy: DEFAULT_WEBHOOK_POLICY,
      };
      await assert.rejects(
        database.db.transaction().execute(() => transport.send(input)),
        /webhook HTTP request/,
      );
      await assert.rejects(
        database.db.transaction().execute(() => checkUrl('https://hooks.example.com/in', DEFAULT_WEBHOOK_POLICY)),
        /DNS lookup/,
      );
    } finally {
      await transport.close();
      await database.destroy();
    }
  });
});
