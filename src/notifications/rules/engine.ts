/**
 * Rules as data: each rule names the event it reacts to, the shape of the data it needs, who is
 * told (roles in the tenant, staff roles, every tenant's users, or one user from the data such as
 * the ticket's requester or assignee), the notification's type and priority, and pure templates
 * for title, body, action URL and thread. `applyRule` turns one event into drafts with recipient
 * lookups injected, so rules are tested without a database.
 */
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Validator } from 'typebox/compile';
import type { DirectoryUser } from '../../identity/directory.ts';
import type { CustomerRole, StaffRole } from '../../identity/tables.ts';
import type { NotificationDraft } from '../deliver.ts';
import type { NotificationPriority, NotificationType } from '../model.ts';

/** An event as rules see it (an outbox record). */
export interface RuleEvent {
  id: string;
  type: string;
  customerId: string | null;
  data: unknown;
}

/** Who a rule addresses. */
export type Recipients =
  /** Active users of a tenant (the event's unless named) with one of the roles. */
  | { kind: 'tenant_roles'; roles: readonly CustomerRole[]; customerId?: string }
  /** Active users of every active tenant with one of the roles. */
  | { kind: 'all_tenants_roles'; roles: readonly CustomerRole[] }
  /** Active SecureBase staff with one of the roles. */
  | { kind: 'staff_roles'; roles: readonly StaffRole[] }
  /** One user named by the event (a ticket's requester or assignee): told only if staff or of the event's tenant. */
  | { kind: 'user'; userId: string };

/** A fixed recipient set, or one read from the event's data (null: nobody). */
export type RecipientSpec<D> = Recipients | ((data: D) => Recipients | null);

/**
 * One rule. Methods (not function properties) so that a rule over specific data is still a
 * `NotificationRule` in the list of all rules.
 */
export interface NotificationRule<D = unknown> {
  /** Unique; names the rule in tests and logs. */
  name: string;
  /** The event type it reacts to. */
  event: string;
  /** JSON Schema the event's data must match; events that do not are skipped by this rule. */
  data: TSchema;
  when?(data: D): boolean;
  type: NotificationType | ((data: D) => NotificationType);
  priority: NotificationPriority | ((data: D) => NotificationPriority);
  recipients: readonly RecipientSpec<D>[];
  /** Who caused the event: never told about their own action unless `notifyActor` (a receipt). */
  actor?(data: D): string | null | undefined;
  notifyActor?: boolean;
  title(data: D): string;
  body(data: D): string;
  actionUrl?(data: D): string | null;
  /** Thread: new activity on it updates the user's open notification instead of adding one. */
  groupKey?(data: D): string | null;
}

/** Declares a rule whose data type follows from its schema. */
export function defineRule<S extends TSchema>(rule: NotificationRule<Static<S>> & { data: S }): NotificationRule {
  return rule as NotificationRule;
}

/** Finds the users a recipient set denotes (the processor backs it with the identity directory). */
export type RecipientLookup = (recipients: Recipients) => Promise<readonly DirectoryUser[]>;

const resolve = <D, T>(value: T | ((data: D) => T), data: D): T =>
  typeof value === 'function' ? (value as (data: D) => T)(data) : value;

// Each rule's schema compiled once: the interpreting checker cost more than the rest of the rule.
const validators = new WeakMap<TSchema, Validator>();
function matches(schema: TSchema, data: unknown): boolean {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator.Check(data);
}

/** The rule's recipient sets for an event, or null when the rule does not apply to it. */
export function recipientsOf(rule: NotificationRule, event: RuleEvent): Recipients[] | null {
  if (rule.event !== event.type || !matches(rule.data, event.data)) return null;
  if (rule.when && !rule.when(event.data)) return null;
  return rule.recipients.flatMap((spec) => {
    const recipients = resolve(spec, event.data);
    if (!recipients) return [];
    if (recipients.kind === 'tenant_roles' && !recipients.customerId) {
      return event.customerId ? [{ ...recipients, customerId: event.customerId }] : [];
    }
    return [recipients];
  });
}

/** Whether a user found for a recipient set may be told about the event (the tenant boundary). */
export function admits(recipients: Recipients, user: DirectoryUser, event: RuleEvent): boolean {
  switch (recipients.kind) {
    case 'tenant_roles':
      return user.customerId !== null && user.customerId === recipients.customerId;
    case 'all_tenants_roles':
      return user.customerId !== null;
    case 'staff_roles':
      return user.customerId === null;
    case 'user':
      return user.id === recipients.userId && (user.customerId === null || user.customerId === event.customerId);
  }
}

/** The drafts one rule makes of one event: one per admitted user, the actor left out. */
export async function applyRule(
  rule: NotificationRule,
  event: RuleEvent,
  lookup: RecipientLookup,
): Promise<NotificationDraft[]> {
  const sets = recipientsOf(rule, event);
  if (!sets || sets.length === 0) return [];
  const data = event.data;
  const actor = rule.notifyActor ? null : (rule.actor?.(data) ?? null);
  const users = new Map<string, DirectoryUser>();
  for (const recipients of sets) {
    for (const user of await lookup(recipients)) {
      if (user.id !== actor && admits(recipients, user, event)) users.set(user.id, user);
    }
  }
  if (users.size === 0) return [];
  const template = {
    type: resolve(rule.type, data),
    priority: resolve(rule.priority, data),
    title: rule.title(data),
    body: rule.body(data),
    actionUrl: rule.actionUrl?.(data) ?? null,
    groupKey: rule.groupKey?.(data) ?? null,
    sourceEventId: event.id,
  };
  return [...users.values()].map((user) => ({
    ...template,
    userId: user.id,
    customerId: user.customerId ?? event.customerId,
  }));
}

/** Shortens user text for a title or body, on a character boundary, with an ellipsis. */
export function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** `2026-11-28 14:00 UTC` from an RFC 3339 timestamp (the reader's zone is the email's business). */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
