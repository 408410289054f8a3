/**
 * Preferences API: the caller's type × channel matrix and quiet hours (`/preferences`, and the
 * seed's `/subscriptions` as an alias), the tenant's defaults (tenant admins), and muted threads.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { authOf } from '../../identity/authenticate.ts';
import type { UserId } from '../../identity/tables.ts';
import type { AppContext } from '../../runtime/context.ts';
import { NOTIFICATION_TYPES } from '../model.ts';
import { effectiveEmail, effectiveEmailMatrix } from './effective.ts';
import type { EmailChoices } from './effective.ts';
import { quietHoursProblem } from './quiet-hours.ts';
import {
  addMute,
  listMutes,
  loadOwnPreferences,
  loadTenantDefaults,
  removeMute,
  saveOwnPreferences,
  saveTenantDefaults,
} from './repository.ts';
import {
  MuteList,
  MuteParams,
  MuteView,
  PreferencesBody,
  PreferencesView,
  TenantDefaultsBody,
  TenantDefaultsView,
} from './schemas.ts';
import type { PreferencesBodyType, PreferencesViewType, TenantDefaultsBodyType } from './schemas.ts';

const TAGS = ['notifications'];

/** The calling user; a CLI-made API key acts for no user and has no preferences. */
function userOf(request: FastifyRequest): { userId: UserId; customerId: string | null } {
  const auth = authOf(request);
  if (!auth.userId)
    throw new AppError('forbidden', 'This credential acts for no user, so it has no notification preferences');
  return { userId: auth.userId, customerId: auth.customerId };
}

function tenantOf(request: FastifyRequest): string {
  const auth = authOf(request);
  if (!auth.customerId) throw new AppError('forbidden', 'Tenant defaults belong to a tenant; this caller has none');
  return auth.customerId;
}

/** Applies a PUT body to the stored choices, refusing to switch in-app off. */
export function applyPreferenceChanges(
  current: { email: EmailChoices; quietHours: PreferencesBodyType['quiet_hours'] | null },
  body: PreferencesBodyType,
) {
  const email: EmailChoices = { ...current.email };
  for (const [type, channels] of Object.entries(body.types ?? {})) {
    if (!channels) continue;
    if (channels.in_app === false)
      throw invalidField(
        `types.${type}.in_app`,
        'cannot be turned off: in-app notifications are always on (mute a thread instead)',
      );
    const key = type as keyof EmailChoices;
    if (channels.email === null) delete email[key];
    else if (channels.email !== undefined) email[key] = channels.email;
  }
  let quietHours = current.quietHours ?? null;
  if (body.quiet_hours !== undefined) {
    if (body.quiet_hours !== null) {
      const problem = quietHoursProblem(body.quiet_hours);
      if (problem) throw invalidField(`quiet_hours.${problem[0]}`, problem[1]);
    }
    quietHours = body.quiet_hours;
  }
  return { email, quietHours };
}

/** Registers the preference, tenant-default and mute routes under `/notifications`. */
export function notificationPreferenceRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const { db } = ctx.database;

  async function view(userId: UserId, customerId: string | null): Promise<PreferencesViewType> {
    const own = await loadOwnPreferences(db, userId);
    const tenant = await loadTenantDefaults(db, customerId);
    const stored = await db
      .selectFrom('notification_preferences')
      .select('updated_at')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const matrix = effectiveEmailMatrix(own.email, tenant);
    return {
      types: Object.fromEntries(
        NOTIFICATION_TYPES.map((type) => [
          type,
          { in_app: true, email: matrix[type].enabled, email_source: matrix[type].source },
        ]),
      ) as PreferencesViewType['types'],
      quiet_hours: own.quietHours,
      updated_at: stored?.updated_at ?? null,
    };
  }

  return async (app) => {
    for (const path of ['/notifications/preferences', '/notifications/subscriptions']) {
      const alias = path.endsWith('subscriptions');
      app.get(
        path,
        {
          schema: {
            tags: TAGS,
            summary: alias
              ? 'Your notification preferences (the seed’s name for /notifications/preferences)'
              : 'Your notification preferences: the type × channel matrix in effect, with sources, and quiet hours',
            response: { 200: PreferencesView },
          },
          config: { permission: 'authenticated' },
        },
        async (request) => {
          const { userId, customerId } = userOf(request);
          return view(userId, customerId);
        },
      );

      app.put(
        path,
        {
          schema: {
            tags: TAGS,
            summary: alias
              ? 'Change your notification preferences (the seed’s name for /notifications/preferences)'
              : 'Change your notification preferences: email per type (null follows the tenant default) and quiet hours',
            body: PreferencesBody,
            response: { 200: PreferencesView },
          },
          config: { permission: 'authenticated' },
        },
        async (request) => {
          const { userId, customerId } = userOf(request);
          await db.transaction().execute(async (trx) => {
            const current = await loadOwnPreferences(trx, userId);
            const next = applyPreferenceChanges(current, request.body);
            await saveOwnPreferences(trx, { userId, customerId, ...next }, ctx.clock());
          });
          return view(userId, customerId);
        },
      );
    }

    const tenantView = async (customerId: string) => {
      const defaults = await loadTenantDefaults(db, customerId);
      const stored = await db
        .selectFrom('notification_tenant_defaults')
        .select('updated_at')
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
      return {
        email: Object.fromEntries(
          NOTIFICATION_TYPES.map((type) => {
            const choice = effectiveEmail(type, {}, defaults);
            return [type, { enabled: choice.enabled, source: choice.source as 'tenant' | 'default' }];
          }),
        ) as Record<(typeof NOTIFICATION_TYPES)[number], { enabled: boolean; source: 'tenant' | 'default' }>,
        updated_at: stored?.updated_at ?? null,
      };
    };

    app.get(
      '/notifications/tenant-defaults',
      {
        schema: {
          tags: TAGS,
          summary: 'The tenant’s default email choices, which each user can override',
          response: { 200: TenantDefaultsView },
        },
        config: { permission: 'users:manage' },
      },
      async (request) => tenantView(tenantOf(request)),
    );

    app.put(
      '/notifications/tenant-defaults',
      {
        schema: {
          tags: TAGS,
          summary: 'Set the tenant’s default email choices (null: back to the built-in default)',
          body: TenantDefaultsBody,
          response: { 200: TenantDefaultsView },
        },
        config: { permission: 'users:manage' },
      },
      async (request) => {
        const customerId = tenantOf(request);
        const body: TenantDefaultsBodyType = request.body;
        await db.transaction().execute(async (trx) => {
          const defaults = await loadTenantDefaults(trx, customerId);
          for (const [type, choice] of Object.entries(body.email)) {
            const key = type as keyof EmailChoices;
            if (choice === null) delete defaults[key];
            else if (choice !== undefined) defaults[key] = choice;
          }
          await saveTenantDefaults(trx, customerId, defaults, ctx.clock());
        });
        return tenantView(customerId);
      },
    );

    app.get(
      '/notifications/mutes',
      {
        schema: { tags: TAGS, summary: 'Your muted threads', response: { 200: MuteList } },
        config: { permission: 'authenticated' },
      },
      async (request) => ({ mutes: await listMutes(db, userOf(request).userId) }),
    );

    app.put(
      '/notifications/mutes/:group_key',
      {
        schema: {
          tags: TAGS,
          summary: 'Mute a thread (e.g. ticket:SB-1042): its notifications stop reaching you, on every channel',
          params: MuteParams,
          response: { 200: MuteView },
        },
        config: { permission: 'authenticated' },
      },
      async (request) => addMute(db, userOf(request).userId, request.params.group_key, ctx.clock()),
    );

    app.delete(
      '/notifications/mutes/:group_key',
      {
        schema: {
          tags: TAGS,
          summary: 'Unmute a thread (idempotent)',
          params: MuteParams,
          response: { 204: Type.Null({ description: 'Unmuted (or was not muted)' }) },
        },
        config: { permission: 'authenticated' },
      },
      async (request, reply) => {
        await removeMute(db, userOf(request).userId, request.params.group_key);
        return reply.code(204).send(null);
      },
    );
  };
}
