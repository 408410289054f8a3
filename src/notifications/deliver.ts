import type { Insertable } from 'kysely';
import { uuidv7 } from '../database/ids.ts';
import { emitEvents } from '../events/outbox.ts';
import { userDirectory } from '../identity/directory.ts';
import type { UserId } from '../identity/tables.ts';
import type { Executor } from '../jobs/types.ts';
import type { LiveFeed } from '../realtime/live-feed.ts';
import { planNotificationEmails } from './email/plan.ts';
import type { EmailPlanPolicy } from './email/plan.ts';
import type { NotificationId } from './ids.ts';
import type { NotificationPriority, NotificationType } from './model.ts';
import { presentNotification } from './presenter.ts';
import type { Notification } from './presenter.ts';
import { reserveSequences } from './sequence.ts';
import { publishInboxChanges } from './stream/signal.ts';
import type { NotificationsTable } from './tables.ts';

/** One notification to give one user (a rule's output, an announcement, a test). */
export interface NotificationDraft {
  userId: UserId;
  customerId: string | null;
  type: NotificationType;
  priority: NotificationPriority;
  title: string;
  body: string;
  actionUrl: string | null;
  /** New activity on the same group updates the user's open notification of that group. */
  groupKey: string | null;
  /** The cause; a second draft for the same (user, source event) is dropped. */
  sourceEventId: string | null;
}

export interface DeliveryDeps {
  now: Date;
  liveFeed: LiveFeed;
  /** Storm control (NOTIFICATION_EMAIL_RATE_LIMIT); the default when absent. */
  emailPolicy?: EmailPlanPolicy;
}

/** Rows per INSERT: 19 columns stays under SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 1_000;
/** Ids per `in (...)` list. */
const LOOKUP_CHUNK = 5_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

const pairKey = (userId: string, other: string) => `${userId}\u0000${other}`;

/** The webhook event of a customer user's new notification (or new activity on its group). */
export const NOTIFICATION_CREATED = 'notification.created';

/**
 * The `notification.created` events of a delivery, for the tenant's webhooks: one per notification
 * of a customer user of that tenant (staff notifications about a tenant never reach its
 * endpoints), written in one batch. The rules processor ignores this type, so no loop.
 */
async function emitCreatedEvents(trx: Executor, delivered: readonly Notification[], now: Date): Promise<void> {
  const candidates = delivered.filter((row) => row.customer_id !== null);
  if (candidates.length === 0) return;
  const tenantOf = new Map(
    (await userDirectory(trx).activeUsers([...new Set(candidates.map((row) => row.user_id))])).map((user) => [
      user.id,
      user.customerId,
    ]),
  );
  const events = candidates
    .filter((row) => tenantOf.get(row.user_id) === row.customer_id)
    .map((row) => ({ type: NOTIFICATION_CREATED, customerId: row.customer_id, data: presentNotification(row) }));
  if (events.length > 0) await emitEvents(trx, events, now);
}

/**
 * The one write path of the inbox. Inside the caller's transaction it drops drafts for muted
 * threads and drafts already delivered for their source event, gathers group activity into the
 * user's open notification of that group, takes sequence numbers from each user's counter, writes
 * the rows, plans emails, emits `notification.created` for customer users' rows and announces the changes to live streams (after commit). Returns the
 * created or updated notifications.
 */
export async function deliverNotifications(
  trx: Executor,
  drafts: readonly NotificationDraft[],
  deps: DeliveryDeps,
): Promise<Notification[]> {
  const unique = new Map<string, NotificationDraft>();
  for (const draft of drafts) {
    const key = draft.sourceEventId ? pairKey(draft.userId, draft.sourceEventId) : `${unique.size}\u0001`;
    if (!unique.has(key)) unique.set(key, draft);
  }
  let pending = [...unique.values()];
  if (pending.length === 0) return [];

  const grouped = pending.filter((draft) => draft.groupKey !== null);
  const muted = new Set<string>();
  const openGroups = new Map<string, Notification>();
  for (const part of chunks(grouped, LOOKUP_CHUNK)) {
    const users = [...new Set(part.map((draft) => draft.userId))];
    const groups = [...new Set(part.map((draft) => draft.groupKey as string))];
    const mutes = await trx
      .selectFrom('notification_mutes')
      .select(['user_id', 'group_key'])
      .where('user_id', 'in', users)
      .where('group_key', 'in', groups)
      .execute();
    for (const mute of mutes) muted.add(pairKey(mute.user_id, mute.group_key));
    const open = await trx
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', 'in', users)
      .where('group_key', 'in', groups)
      .where('archived_at', 'is', null)
      .execute();
    for (const row of open) openGroups.set(pairKey(row.user_id, row.group_key as string), row);
  }
  pending = pending.filter((draft) => !draft.groupKey || !muted.has(pairKey(draft.userId, draft.groupKey)));

  // Two drafts of one batch for the same group of one user become one notification.
  const targets = new Map<NotificationDraft, NotificationId>();
  const batchGroups = new Map<string, NotificationId>();
  for (const draft of pending) {
    const group = draft.groupKey ? pairKey(draft.userId, draft.groupKey) : null;
    const existing = group ? (openGroups.get(group)?.id ?? batchGroups.get(group)) : undefined;
    const id = existing ?? (uuidv7(deps.now.getTime()) as NotificationId);
    if (group) batchGroups.set(group, id);
    targets.set(draft, id);
  }

  const iso = deps.now.toISOString();
  const withSource = pending.filter((draft) => draft.sourceEventId !== null);
  const fresh = new Set<string>();
  for (const part of chunks(withSource, INSERT_CHUNK)) {
    const inserted = await trx
      .insertInto('notification_sources')
      .values(
        part.map((draft) => ({
          user_id: draft.userId,
          source_event_id: draft.sourceEventId as string,
          notification_id: targets.get(draft) as NotificationId,
          created_at: iso,
        })),
      )
      .onConflict((oc) => oc.columns(['user_id', 'source_event_id']).doNothing())
      .returning(['user_id', 'source_event_id'])
      .execute();
    for (const row of inserted) fresh.add(pairKey(row.user_id, row.source_event_id));
  }
  pending = pending.filter((draft) => !draft.sourceEventId || fresh.has(pairKey(draft.userId, draft.sourceEventId)));
  if (pending.length === 0) return [];

  // Sequence numbers: each user's counter is bumped once by that user's number of drafts.
  const perUser = new Map<UserId, NotificationDraft[]>();
  for (const draft of pending) {
    const own = perUser.get(draft.userId);
    if (own) own.push(draft);
    else perUser.set(draft.userId, [draft]);
  }
  const lastOf = await reserveSequences(trx, new Map([...perUser].map(([userId, own]) => [userId, own.length])));
  const seqOf = new Map<NotificationDraft, number>();
  for (const [userId, own] of perUser) {
    const last = lastOf.get(userId) as number;
    own.forEach((draft, index) => seqOf.set(draft, last - own.length + 1 + index));
  }

  const results = new Map<NotificationId, Notification>();
  const inserts: Insertable<NotificationsTable>[] = [];
  for (const draft of pending) {
    const id = targets.get(draft) as NotificationId;
    const seq = seqOf.get(draft) as number;
    const previous =
      results.get(id) ?? (draft.groupKey ? openGroups.get(pairKey(draft.userId, draft.groupKey)) : undefined);
    const row: Notification = {
      id,
      customer_id: draft.customerId,
      user_id: draft.userId,
      type: draft.type,
      priority: draft.priority,
      title: draft.title,
      body: draft.body,
      action_url: draft.actionUrl,
      source_event_id: draft.sourceEventId,
      group_key: draft.groupKey,
      group_count: previous ? previous.group_count + 1 : 1,
      activity_seq: seq,
      change_seq: seq,
      created_at: previous?.created_at ?? iso,
      updated_at: iso,
      seen_at: null,
      read_at: null,
      archived_at: null,
    };
    results.set(id, row);
  }
  for (const row of results.values()) {
    const stored = row.group_key ? openGroups.get(pairKey(row.user_id, row.group_key)) : undefined;
    if (!stored) {
      inserts.push(row);
      continue;
    }
    await trx
      .updateTable('notifications')
      .set({
        type: row.type,
        priority: row.priority,
        title: row.title,
        body: row.body,
        action_url: row.action_url,
        source_event_id: row.source_event_id,
        group_count: row.group_count,
        activity_seq: row.activity_seq,
        change_seq: row.change_seq,
        updated_at: row.updated_at,
        seen_at: null,
        read_at: null,
      })
      .where('id', '=', row.id)
      .execute();
  }
  for (const part of chunks(inserts, INSERT_CHUNK)) await trx.insertInto('notifications').values(part).execute();

  const delivered = [...results.values()];
  await planNotificationEmails(trx, delivered, deps.now, deps.emailPolicy);
  await emitCreatedEvents(trx, delivered, deps.now);
  await publishInboxChanges(
    trx,
    deps.liveFeed,
    delivered.map((row) => ({ userId: row.user_id, seq: row.change_seq })),
  );
  return delivered;
}
