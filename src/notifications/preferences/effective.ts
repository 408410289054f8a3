/**
 * Effective email choices, pure: the user's override wins over the tenant's default, which wins
 * over the built-in default (DEFAULT_EMAIL_TYPES). Stored JSON is read defensively: a malformed
 * value counts as "no choice", never as an error in the delivery path.
 */
import { DEFAULT_EMAIL_TYPES, NOTIFICATION_TYPES } from '../model.ts';
import type { NotificationType } from '../model.ts';
import type { QuietHours } from './quiet-hours.ts';

/** A partial `{ [type]: boolean }` map as stored in `email` columns. */
export type EmailChoices = Partial<Record<NotificationType, boolean>>;

/** Where an effective value came from. */
export type ChoiceSource = 'user' | 'tenant' | 'default';

export interface EffectiveChoice {
  enabled: boolean;
  source: ChoiceSource;
}

/** Reads a stored `{ [type]: boolean }` JSON text, keeping only known types with boolean values. */
export function parseEmailChoices(text: string | null | undefined): EmailChoices {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null) return {};
  const choices: EmailChoices = {};
  for (const type of NOTIFICATION_TYPES) {
    const choice = (value as Record<string, unknown>)[type];
    if (typeof choice === 'boolean') choices[type] = choice;
  }
  return choices;
}

/** Reads stored quiet hours JSON; null when absent or malformed. */
export function parseQuietHours(text: string | null | undefined): QuietHours | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<QuietHours> | null;
    if (
      value &&
      typeof value.start === 'string' &&
      typeof value.end === 'string' &&
      typeof value.time_zone === 'string' &&
      Array.isArray(value.days)
    ) {
      return { start: value.start, end: value.end, time_zone: value.time_zone, days: value.days };
    }
  } catch {
    // falls through: treated as no quiet hours
  }
  return null;
}

/** The effective email choice for one type. */
export function effectiveEmail(type: NotificationType, user: EmailChoices, tenant: EmailChoices): EffectiveChoice {
  const own = user[type];
  if (own !== undefined) return { enabled: own, source: 'user' };
  const tenantChoice = tenant[type];
  if (tenantChoice !== undefined) return { enabled: tenantChoice, source: 'tenant' };
  return { enabled: DEFAULT_EMAIL_TYPES[type], source: 'default' };
}

/** The effective email choice for every type. */
export function effectiveEmailMatrix(
  user: EmailChoices,
  tenant: EmailChoices,
): Record<NotificationType, EffectiveChoice> {
  return Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, effectiveEmail(type, user, tenant)])) as Record<
    NotificationType,
    EffectiveChoice
  >;
}
