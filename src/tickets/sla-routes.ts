import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../identity/authenticate.ts';
import type { AppContext } from '../runtime/context.ts';
import {
  CalendarBody,
  CalendarList,
  CalendarParams,
  CalendarView,
  PolicyBody,
  PolicyList,
  PolicyParams,
  PolicyView,
} from './sla-schemas.ts';
import { slaSettingsService } from './sla-settings.ts';

const TAGS = ['tickets'];

/** SLA policies per tier and business-hours calendars: everyone with ticket access reads, platform admins write. */
export function slaRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const settings = slaSettingsService({ db: ctx.database.db, clock: ctx.clock });
  return async (app) => {
    app.get(
      '/support/sla/policies',
      {
        schema: {
          tags: TAGS,
          summary: 'SLA policies in force (staff: every tier; tenants: their own)',
          response: { 200: PolicyList },
        },
        config: { permission: 'tickets:read' },
      },
      async (request) => ({ policies: await settings.listPolicies(authOf(request)) }),
    );

    app.put(
      '/support/sla/policies/:tier',
      {
        schema: {
          tags: TAGS,
          summary: "Change a tier's SLA policy (targets, calendars, warning share)",
          params: PolicyParams,
          body: PolicyBody,
          response: { 200: PolicyView },
        },
        config: { permission: 'tenants:manage' },
      },
      async (request) => settings.putPolicy(request.params.tier, request.body),
    );

    app.get(
      '/support/sla/calendars',
      {
        schema: { tags: TAGS, summary: 'Business-hours calendars', response: { 200: CalendarList } },
        config: { permission: 'tickets:read' },
      },
      async () => ({ calendars: await settings.listCalendars() }),
    );

    app.put(
      '/support/sla/calendars/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Create or replace a business-hours calendar',
          params: CalendarParams,
          body: CalendarBody,
          response: { 200: CalendarView },
        },
        config: { permission: 'tenants:manage' },
      },
      async (request) => settings.putCalendar(request.params.id, request.body),
    );
  };
}
