import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../config/clock.ts';
import { costProfile, dailyCostsByService } from '../forecasting/records/store.ts';
import { identitySystemRepository } from '../identity/repository.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { startTestServer } from '../testing/server.ts';
import { DEMO_TENANT, seedDemo } from './demo.ts';

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

    it('has 26 months of daily costs of 8 to 15 services through yesterday, brought up to date on a later day', async () => {
      const clock = manualClock(new Date('2026-11-15T09:30:00.000Z'));
      const server = await startTestServer(dialect, { clock });
      try {
        const progress: string[] = [];
        assert.equal(await seedDemo(server.ctx, server.app, server.identity, (m) => progress.push(m)), true);
        assert.equal(progress.at(-1), 'demo data: 26/26 months of costs');
        const tenant = await identitySystemRepository(server.database.db).findCustomerByName(DEMO_TENANT);
        assert.ok(tenant);
        const days = await dailyCostsByService(server.database.db, tenant.id);
        const months = new Set(days.map((d) => d.date.slice(0, 7)));
        assert.equal(months.size, 26);
        assert.equal(days[0]?.date, '2024-10-01');
        assert.equal(days.at(-1)?.date, '2026-11-14', 'through yesterday');
        const services = new Set(days.map((d) => d.service));
        assert.ok(services.size >= 8 && services.size <= 15, `${services.size} services`);
        const current = new Set(days.filter((d) => d.date.startsWith('2026-11')).map((d) => d.date));
        assert.equal(current.size, 14, 'the current month is partial');
        assert.equal((await costProfile(server.database.db, tenant.id))?.currency, 'USD');
        const sources = await server.database.db
          .selectFrom('cost_records')
          .select('source')
          .distinct()
          .where('customer_id', '=', tenant.id)
          .execute();
        assert.deepEqual(sources, [{ source: 'demo' }]);

        const before = await dailyCostsByService(server.database.db, tenant.id, { to: '2025-06-30' });
        assert.equal(await seedDemo(server.ctx, server.app, server.identity, () => {}), false, 'already up to date');
        clock.advance(3 * 86_400_000);
        assert.equal(await seedDemo(server.ctx, server.app, server.identity, () => {}), true);
        const after = await dailyCostsByService(server.database.db, tenant.id);
        assert.equal(after.at(-1)?.date, '2026-11-17');
        assert.equal(after.filter((d) => d.date <= '2025-06-30').length, before.length, 'days replaced, not repeated');
      } finally {
        await server.close();
      }
    });
  });
}
