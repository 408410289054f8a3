/**
 * The custom CloudWatch metrics the stack scales and alarms on, published by the worker (the only
 * role allowed to, in this namespace): one per minute, no dimensions (one deployment per account
 * and region). Whoever publishes them (PutMetricData or embedded-metric log lines) uses these names.
 */
export const APP_METRICS = {
  namespace: 'SecureBase',
  /** Jobs due now and not leased (count): the worker service scales on it. */
  jobBacklog: 'JobBacklog',
  /** Age in seconds of the oldest job due and not leased (0 when none). */
  jobBacklogAgeSeconds: 'JobBacklogOldestAgeSeconds',
  /** Webhook delivery attempts finished in the period (count). */
  webhookAttempts: 'WebhookDeliveryAttempts',
  /** Of those, attempts that failed: timeout, connection error or a non-2xx answer (count). */
  webhookFailures: 'WebhookDeliveryFailures',
} as const;
