/** Storage of preferences, tenant defaults and mutes; every function takes the caller's executor. */
import type { UserId } from '../../identity/tables.ts';
import type { Executor } from '../../jobs/types.ts';
import { parseEmailChoices, parseQuietHours } from './effective.ts';
import type { EmailChoices } from './effective.ts';
import type { QuietHours } from './quiet-hours.ts';

/** Ids per `in (...)` list. */
const LOOKUP_CHUNK = 5_000;

/** A user as the email path needs them: address, state, own choices and their tenant's defaults. */
export interface Recipient {
  userId: UserId;
  customerId: string | null;
  email: string;
  name: string;
  active: boolean;
  own: EmailChoices;
  tenant: EmailChoices;
  quietHours: QuietHours | null;
}

/** Every given user that exists, with preferences and tenant defaults: one query per 5,000 users. */
export async function loadRecipients(trx: Executor, userIds: readonly UserId[]): Promise<Map<UserId, Recipient>> {
  const found = new Map<UserId, Recipient>();
  const unique = [...new Set(userIds)];
  for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
    const rows = await trx
      .selectFrom('users')
      .leftJoin('notification_preferences as p', 'p.user_id', 'users.id')
      .leftJoin('notification_tenant_defaults as t', 't.customer_id', 'users.customer_id')
      .select([
        'users.id',
        'users.customer_id',
        'users.email',
        'users.name',
        'users.status',
        'p.email as own_email',
        'p.quiet_hours',
        't.email as tenant_email',
      ])
      .where('users.id', 'in', unique.slice(start, start + LOOKUP_CHUNK))
      .execute();
    for (const row of rows) {
      found.set(row.id, {
        userId: row.id,
        customerId: row.customer_id,
        email: row.email,
        name: row.name,
        active: row.status === 'active',
        own: parseEmailChoices(row.own_email),
        tenant: parseEmailChoices(row.tenant_email),
        quietHours: parseQuietHours(row.quiet_hours),
      });
    }
  }
  return found;
}

/** The user's stored choices (no row: none). */
export async function loadOwnPreferences(
  trx: Executor,
  userId: UserId,
): Promise<{ email: EmailChoices; quietHours: QuietHours | null }> {
  const row = await trx
    .selectFrom('notification_preferences')
    .select(['email', 'quiet_hours'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return { email: parseEmailChoices(row?.email), quietHours: parseQuietHours(row?.quiet_hours) };
}

/** Writes the user's whole preference row (choices replaced, not merged: callers merge first). */
export async function saveOwnPreferences(
  trx: Executor,
  input: { userId: UserId; customerId: string | null; email: EmailChoices; quietHours: QuietHours | null },
  now: Date,
): Promise<void> {
  const row = {
    user_id: input.userId,
    customer_id: input.customerId,
    email: JSON.stringify(input.email),
    quiet_hours: input.quietHours ? JSON.stringify(input.quietHours) : null,
    updated_at: now.toISOString(),
  };
  await trx
    .insertInto('notification_preferences')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ email: row.email, quiet_hours: row.quiet_hours, updated_at: row.updated_at }),
    )
    .execute();
}

/** The tenant's defaults (none set: empty). */
export async function loadTenantDefaults(trx: Executor, customerId: string | null): Promise<EmailChoices> {
  if (customerId === null) return {};
  const row = await trx
    .selectFrom('notification_tenant_defaults')
    .select('email')
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return parseEmailChoices(row?.email);
}

export async function saveTenantDefaults(
  trx: Executor,
  customerId: string,
  email: EmailChoices,
  now: Date,
): Promise<void> {
  const row = { customer_id: customerId, email: JSON.stringify(email), updated_at: now.toISOString() };
  await trx
    .insertInto('notification_tenant_defaults')
    .values(row)
    .onConflict((oc) => oc.column('customer_id').doUpdateSet({ email: row.email, updated_at: row.updated_at }))
    .execute();
}

/** The user's muted threads, newest first. */
export async function listMutes(trx: Executor, userId: UserId) {
  return trx
    .selectFrom('notification_mutes')
    .select(['group_key', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('group_key')
    .execute();
}

/** Mutes a thread; muting it again keeps the first time. Returns the mute as stored. */
export async function addMute(trx: Executor, userId: UserId, groupKey: string, now: Date) {
  await trx
    .insertInto('notification_mutes')
    .values({ user_id: userId, group_key: groupKey, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['user_id', 'group_key']).doNothing())
    .execute();
  return trx
    .selectFrom('notification_mutes')
    .select(['group_key', 'created_at'])
    .where('user_id', '=', userId)
    .where('group_key', '=', groupKey)
    .executeTakeFirstOrThrow();
}

/** Unmutes a thread; true when it was muted. */
export async function removeMute(trx: Executor, userId: UserId, groupKey: string): Promise<boolean> {
  const result = await trx
    .deleteFrom('notification_mutes')
    .where('user_id', '=', userId)
    .where('group_key', '=', groupKey)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
