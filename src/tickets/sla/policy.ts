import type { Tier } from '../../config/config.ts';
import { invalidField } from '../../errors/app-error.ts';
import type { TicketPriority } from '../tables.ts';
import { ALWAYS_OPEN_CALENDAR, DEFAULT_BUSINESS_CALENDAR } from './calendar.ts';
import type { BusinessCalendar } from './calendar.ts';
import type { SlaTerms } from './clocks.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const PRIORITIES: readonly TicketPriority[] = ['low', 'medium', 'high', 'critical'];

/** Targets of one priority, in business minutes. */
export interface PriorityTargets {
  first_response_minutes: number;
  resolution_minutes: number;
}

/**
 * The SLA of a tenant tier: which calendar counts (critical tickets have their own, 24/7 by
 * default), the targets per priority and the share of a target at which a warning goes out.
 */
export interface SlaPolicy {
  tier: Tier;
  calendar_id: string;
  critical_calendar_id: string;
  warning_percent: number;
  targets: Record<TicketPriority, PriorityTargets>;
}

/** The seed's first-response targets (tier standard) and the spec's resolution targets. */
const STANDARD: Record<TicketPriority, { firstResponse: number; resolution: number }> = {
  critical: { firstResponse: 1 * HOUR, resolution: 8 * HOUR },
  high: { firstResponse: 4 * HOUR, resolution: 48 * HOUR },
  medium: { firstResponse: 24 * HOUR, resolution: 5 * DAY },
  low: { firstResponse: 48 * HOUR, resolution: 10 * DAY },
};

/** Faster tiers scale the first-response targets (tickets.md); government keeps standard's, critical on 24/7. */
const FIRST_RESPONSE_SCALE: Record<Tier, number> = { standard: 1, fintech: 0.5, healthcare: 0.25, government: 1 };

/** Warn at 80 % of a target unless a policy says otherwise. */
export const DEFAULT_WARNING_PERCENT = 80;

/** The tier's policy before any admin changes it. */
export function defaultPolicy(tier: Tier): SlaPolicy {
  const targets = Object.fromEntries(
    PRIORITIES.map((priority) => [
      priority,
      {
        first_response_minutes: (STANDARD[priority].firstResponse * FIRST_RESPONSE_SCALE[tier]) / MINUTE,
        resolution_minutes: STANDARD[priority].resolution / MINUTE,
      },
    ]),
  ) as Record<TicketPriority, PriorityTargets>;
  return {
    tier,
    calendar_id: DEFAULT_BUSINESS_CALENDAR.id,
    critical_calendar_id: ALWAYS_OPEN_CALENDAR.id,
    warning_percent: DEFAULT_WARNING_PERCENT,
    targets,
  };
}

/** A policy as an admin sends it: every field optional, missing ones keep the current value. */
export interface PolicyDocument {
  calendar_id?: string | undefined;
  critical_calendar_id?: string | undefined;
  warning_percent?: number | undefined;
  targets?: Partial<Record<TicketPriority, Partial<PriorityTargets>>> | undefined;
}

/**
 * Merges `doc` over `current` and validates: targets whole minutes above zero, a warning share
 * of 1–99 %, calendars that exist. 400 naming the field otherwise.
 */
export function mergePolicy(
  current: SlaPolicy,
  doc: PolicyDocument,
  calendarExists: (id: string) => boolean,
): SlaPolicy {
  const next: SlaPolicy = {
    ...current,
    calendar_id: doc.calendar_id ?? current.calendar_id,
    critical_calendar_id: doc.critical_calendar_id ?? current.critical_calendar_id,
    warning_percent: doc.warning_percent ?? current.warning_percent,
    targets: { ...current.targets },
  };
  for (const field of ['calendar_id', 'critical_calendar_id'] as const) {
    if (!calendarExists(next[field])) throw invalidField(field, `names no calendar: ${next[field]}`);
  }
  if (!Number.isInteger(next.warning_percent) || next.warning_percent < 1 || next.warning_percent > 99) {
    throw invalidField('warning_percent', 'must be a whole percentage from 1 to 99');
  }
  for (const [priority, targets] of Object.entries(doc.targets ?? {})) {
    if (!(PRIORITIES as readonly string[]).includes(priority))
      throw invalidField(`targets.${priority}`, 'is not a priority');
    const merged = { ...next.targets[priority as TicketPriority], ...targets };
    for (const [name, value] of Object.entries(merged)) {
      if (!Number.isInteger(value) || value <= 0) {
        throw invalidField(`targets.${priority}.${name}`, 'must be a whole number of minutes above zero');
      }
    }
    next.targets[priority as TicketPriority] = merged;
  }
  return next;
}

/** What applies to a ticket of `priority` under `policy`. */
export function termsFor(
  policy: SlaPolicy,
  priority: TicketPriority,
  calendars: (id: string) => BusinessCalendar,
): SlaTerms {
  const targets = policy.targets[priority];
  return {
    calendar: calendars(priority === 'critical' ? policy.critical_calendar_id : policy.calendar_id),
    firstResponseMs: targets.first_response_minutes * MINUTE,
    resolutionMs: targets.resolution_minutes * MINUTE,
    warningPercent: policy.warning_percent,
  };
}
