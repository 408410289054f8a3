import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { startTestServer } from '../testing/server.ts';
import { seedDemo } from './demo.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`demo data on ${dialect}`, () => {
    it('has tickets in every SLA state: on track, at risk, breached, met and paused', async () => {
      const server = await startTestServer(dialect);
      try {
        assert.equal(await seedDemo(server.ctx, server.app, server.identity, () => {}), true);
        const tickets = await server.database.db
          .selectFrom('tickets')
          .select(['subject', 'status', 'sla_status', 'sla_resolution_due_at'])
          .execute();
        const states = new Set<string>(tickets.map((t) => t.sla_status));
        for (const state of ['on_track', 'at_risk', 'breached', 'met']) assert.ok(states.has(state), state);
        const paused = tickets.find((t) => t.status === 'waiting-customer');
        assert.ok(paused, 'a ticket waiting on the customer');
        assert.equal(paused.sla_resolution_due_at, null, 'its resolution clock is paused');
        assert.equal(await seedDemo(server.ctx, server.app, server.identity, () => {}), false, 'idempotent');
      } finally {
        await server.close();
      }
    });
  });
}
