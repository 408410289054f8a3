/**
 * Every notification rule, by source feature. A new source (SLA, costs) adds its rules to its
 * feature's file, or a new file listed here; the processor needs no change.
 */
import { announcementRules } from './announcements.ts';
import { costRules } from './cost.ts';
import type { NotificationRule } from './engine.ts';
import { identityRules } from './identity.ts';
import { ticketRules } from './tickets.ts';
import { webhookRules } from './webhooks.ts';

export const NOTIFICATION_RULES: readonly NotificationRule[] = [
  ...ticketRules,
  ...webhookRules,
  ...identityRules,
  ...announcementRules,
  ...costRules,
];
