import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import { invalidField } from '../../errors/app-error.ts';
import type { emitEvent } from '../../events/outbox.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { identitySystemRepository } from '../../identity/repository.ts';
import type { NotificationPriority, NotificationType } from '../model.ts';
import { CUSTOMER_ROLES } from '../../identity/permissions.ts';
import { ANNOUNCEMENT_EVENT } from '../rules/announcements.ts';
import type { AnnouncementDataType } from '../rules/announcements.ts';

/** What an announcement says and to whom. */
export interface AnnouncementInput {
  title: string;
  body: string;
  priority?: NotificationPriority | undefined;
  type?: NotificationType | undefined;
  action_url?: string | undefined;
  customer_id?: string | undefined;
  all_tenants?: true | undefined;
  roles?: AnnouncementDataType['roles'] | undefined;
}

export interface AnnounceDeps {
  db: Kysely<Database>;
  clock: Clock;
  emitEvent: typeof emitEvent;
  wakeWorkers(): void;
}

/**
 * Publishes an announcement as a `notification.announcement` event; the announcements rule then
 * gives each matching user a notification (in the worker, so a platform-wide one does not hold
 * the request). The event is platform-wide (no tenant), so it never reaches webhooks itself; each
 * customer user's notification does, as `notification.created`.
 */
export function announce(deps: AnnounceDeps) {
  return async function announce(auth: AuthContext, input: AnnouncementInput): Promise<{ id: string }> {
    if (input.all_tenants && input.customer_id !== undefined)
      throw invalidField('customer_id', 'cannot be given together with all_tenants');
    if (!input.all_tenants && input.customer_id === undefined)
      throw invalidField('customer_id', 'is required unless all_tenants is true');
    const data: AnnouncementDataType = {
      title: input.title,
      body: input.body,
      type: input.type ?? 'informational',
      priority: input.priority ?? 'medium',
      action_url: input.action_url ?? null,
      customer_id: input.customer_id ?? null,
      all_tenants: input.all_tenants === true,
      roles: input.roles ?? [...CUSTOMER_ROLES],
      announced_by: auth.userId,
    };
    const event = await deps.db.transaction().execute(async (trx) => {
      if (data.customer_id !== null && !(await identitySystemRepository(trx).findCustomer(data.customer_id)))
        throw invalidField('customer_id', 'is not a known tenant');
      return deps.emitEvent(trx, { type: ANNOUNCEMENT_EVENT, customerId: null, data }, deps.clock());
    });
    deps.wakeWorkers();
    return { id: event.id };
  };
}
