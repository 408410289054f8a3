import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import { jobBacklog } from '../jobs/index.ts';
import type { AppContext } from '../runtime/context.ts';
import { countFinishedAttempts } from '../webhooks/attempt-counts.ts';
import { embeddedMetricLine } from './app-metrics.ts';
import type { AppMetricFigures } from './app-metrics.ts';

/** How often the worker publishes: the period of the stack's alarms and scaling. */
export const APP_METRICS_PERIOD_MS = 60_000;

/** The backlog at `now` and the webhook attempts, started in `attemptWindow`, that have finished. */
export async function collectAppMetrics(
  db: Kysely<Database>,
  now: Date,
  attemptWindow: { from: Date; to: Date },
): Promise<AppMetricFigures> {
  const [backlog, attempts] = await Promise.all([jobBacklog(db, now), countFinishedAttempts(db, attemptWindow)]);
  return {
    jobBacklog: backlog.count,
    jobBacklogAgeSeconds: backlog.oldestAgeSeconds,
    webhookAttempts: attempts.attempts,
    webhookFailures: attempts.failures,
  };
}

/**
 * Prints the figures once a period as embedded-metric lines (CLOUDWATCH_METRICS=emf); `publish`
 * prints them now. Attempts are
 * counted one period late, in consecutive windows: by then every attempt started in a window has
 * finished (a webhook attempt times out within 30 s), and none is counted twice by this process.
 * Every worker reports the same database-wide figures: the stack alarms on their maximum (backlog)
 * and on the failed share of attempts, which several identical reports do not change.
 */
export function startAppMetricsPublisher(
  ctx: Pick<AppContext, 'database' | 'clock' | 'logger'>,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): { publish(): Promise<void>; stop(): void } {
  let countedUntil = new Date(ctx.clock().getTime() - APP_METRICS_PERIOD_MS);
  const publish = async (): Promise<void> => {
    const now = ctx.clock();
    const window = { from: countedUntil, to: new Date(now.getTime() - APP_METRICS_PERIOD_MS) };
    try {
      write(embeddedMetricLine(await collectAppMetrics(ctx.database.db, now, window), now));
      countedUntil = window.to;
    } catch (error) {
      // A missed point is a gap in a graph; the next period covers the attempts this one missed.
      ctx.logger.warn({ err: error }, 'could not collect the CloudWatch metrics');
    }
  };
  const timer = setInterval(() => void publish(), APP_METRICS_PERIOD_MS);
  timer.unref();
  return { publish, stop: () => clearInterval(timer) };
}
