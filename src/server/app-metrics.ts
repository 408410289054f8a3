/**
 * The custom CloudWatch metrics the worker publishes and the AWS stack (infra/) scales and alarms
 * on: one per minute, no dimensions (one deployment per account and region). This file is the one
 * declaration of their names, imported by infra/lib/app-metrics.ts, so it imports nothing.
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

/** One period's figures. */
export interface AppMetricFigures {
  jobBacklog: number;
  jobBacklogAgeSeconds: number;
  webhookAttempts: number;
  webhookFailures: number;
}

const UNITS: Record<keyof AppMetricFigures, 'Count' | 'Seconds'> = {
  jobBacklog: 'Count',
  jobBacklogAgeSeconds: 'Seconds',
  webhookAttempts: 'Count',
  webhookFailures: 'Count',
};

/**
 * The figures as one CloudWatch Embedded Metric Format line: CloudWatch Logs turns a JSON log line
 * of this shape into metric data points, so publishing needs no API call and no extra permission.
 */
export function embeddedMetricLine(figures: AppMetricFigures, timestamp: Date): string {
  const names = Object.keys(UNITS) as (keyof AppMetricFigures)[];
  const values = Object.fromEntries(names.map((name) => [APP_METRICS[name], figures[name]]));
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: APP_METRICS.namespace,
          Dimensions: [[]],
          Metrics: names.map((name) => ({ Name: APP_METRICS[name], Unit: UNITS[name] })),
        },
      ],
    },
    ...values,
  });
}
