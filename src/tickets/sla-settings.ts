import type { Kysely } from 'kysely';
import type { Clock } from '../config/clock.ts';
import type { Tier } from '../config/config.ts';
import { TIERS } from '../config/config.ts';
import type { Database } from '../database/schema.ts';
import type { AuthContext } from '../identity/auth-context.ts';
import { slaRepository } from './sla-repository.ts';
import { calendarDocument, parseCalendar } from './sla/calendar.ts';
import type { CalendarDocument } from './sla/calendar.ts';
import { mergePolicy } from './sla/policy.ts';
import type { PolicyDocument, SlaPolicy } from './sla/policy.ts';

/**
 * Reading and configuring SLA calendars and per-tier policies. Staff read every tier, a tenant
 * its own; writing needs `tenants:manage` (checked by the route). A change applies to new tickets
 * and to open ones at their next SLA-relevant change (priority, pause, reopen); counted time stays.
 */
export function slaSettingsService(deps: { db: Kysely<Database>; clock: Clock }) {
  const repo = () => slaRepository(deps.db);
  return {
    async listPolicies(auth: AuthContext): Promise<SlaPolicy[]> {
      const settings = await repo().settings();
      if (auth.isStaff) return TIERS.map((tier) => settings.policy(tier));
      return [settings.policy(await repo().tierOf(auth.customerId as string))];
    },

    async putPolicy(tier: Tier, doc: PolicyDocument): Promise<SlaPolicy> {
      return deps.db.transaction().execute(async (trx) => {
        const sla = slaRepository(trx);
        const settings = await sla.settings();
        const policy = mergePolicy(settings.policy(tier), doc, (id) => settings.calendars.has(id));
        await sla.savePolicy(policy, deps.clock());
        return policy;
      });
    },

    async listCalendars() {
      const settings = await repo().settings();
      return [...settings.calendars.values()].map(calendarDocument);
    },

    async putCalendar(id: string, doc: CalendarDocument) {
      const calendar = parseCalendar(id, doc);
      await repo().saveCalendar(calendar, deps.clock());
      return calendarDocument(calendar);
    },
  };
}
