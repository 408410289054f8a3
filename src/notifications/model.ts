/** What a notification is about; the preference matrix has one row per type. */
export const NOTIFICATION_TYPES = [
  'security_alert',
  'billing',
  'compliance',
  'system',
  'informational',
  'support',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type NotificationPriority = (typeof NOTIFICATION_PRIORITIES)[number];

/** Channels a user chooses per type. In-app is always on (it can only be muted per group). */
export const NOTIFICATION_CHANNELS = ['in_app', 'email'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** The seed's defaults: which types also go out by email when neither tenant nor user chose. */
export const DEFAULT_EMAIL_TYPES: Readonly<Record<NotificationType, boolean>> = {
  security_alert: true,
  billing: true,
  compliance: true,
  system: false,
  informational: false,
  support: true,
};
