/**
 * The outbox processor that turns events into notifications: every rule of the event's type
 * (rules/) names its recipients, the identity directory finds them, and `deliverNotifications`
 * writes one notification per (user, source event) in the dispatcher's transaction. The
 * dispatcher runs it once per event; the (user, source event) key makes a redelivery harmless
 * anyway. `notification.created` (which notifications themselves emit) is never handled: no loop.
 */
import type { Clock } from '../config/clock.ts';
import type { EventProcessor } from '../events/processors.ts';
import { userDirectory } from '../identity/directory.ts';
import type { DirectoryUser } from '../identity/directory.ts';
import type { Executor } from '../jobs/types.ts';
import type { LiveFeed } from '../realtime/live-feed.ts';
import type { EmailPlanPolicy } from './email/plan.ts';
import { deliverNotifications, NOTIFICATION_CREATED } from './deliver.ts';
import type { NotificationDraft } from './deliver.ts';
import { applyRule } from './rules/engine.ts';
import type { NotificationRule, Recipients } from './rules/engine.ts';
import { NOTIFICATION_RULES } from './rules/index.ts';

/** Finds the users of a recipient set through the identity directory. */
export function directoryLookup(db: Executor) {
  const directory = userDirectory(db);
  return (recipients: Recipients): Promise<readonly DirectoryUser[]> => {
    switch (recipients.kind) {
      case 'tenant_roles':
        return directory.tenantUsersWithRoles(recipients.customerId as string, recipients.roles);
      case 'all_tenants_roles':
        return directory.customerUsersWithRoles(recipients.roles);
      case 'staff_roles':
        return directory.staffWithRoles(recipients.roles);
      case 'user':
        return directory.activeUsers([recipients.userId]);
    }
  };
}

/** The rules processor; `rules` defaults to every rule (tests may pass their own). */
export function notificationRulesProcessor(
  deps: { clock: Clock; liveFeed: LiveFeed; emailPolicy?: EmailPlanPolicy },
  rules: readonly NotificationRule[] = NOTIFICATION_RULES,
): EventProcessor {
  const byEvent = new Map<string, NotificationRule[]>();
  for (const rule of rules) byEvent.set(rule.event, [...(byEvent.get(rule.event) ?? []), rule]);
  byEvent.delete(NOTIFICATION_CREATED);
  return {
    name: 'notifications.rules',
    handles: (type) => byEvent.has(type),
    async process(trx, event) {
      const lookup = directoryLookup(trx);
      const drafts: NotificationDraft[] = [];
      for (const rule of byEvent.get(event.type) ?? []) drafts.push(...(await applyRule(rule, event, lookup)));
      if (drafts.length > 0)
        await deliverNotifications(trx, drafts, {
          now: deps.clock(),
          liveFeed: deps.liveFeed,
          ...(deps.emailPolicy ? { emailPolicy: deps.emailPolicy } : {}),
        });
    },
  };
}
