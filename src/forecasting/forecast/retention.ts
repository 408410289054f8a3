/**
 * The retention sweep of cached forecasts (default 90 days, `RETENTION_COST_FORECASTS_DAYS`): an
 * hourly job deleting cached results computed before the retention, in bounded chunks. A deleted
 * entry is simply recomputed on the next request.
 */
import type { JobHandler, PeriodicJob } from '../../jobs/index.ts';
import { sweepCachedForecasts } from './repository.ts';

/** The job name of the sweep. */
export const FORECAST_RETENTION_JOB = 'forecasting.forecast_retention';

const DAY_MS = 86_400_000;

/** The sweep's handler for a retention of `days`. */
export function forecastRetention(days: number): Record<typeof FORECAST_RETENTION_JOB, JobHandler> {
  return {
    [FORECAST_RETENTION_JOB]: async (_job, ctx) => {
      await sweepCachedForecasts(ctx.db, new Date(ctx.now().getTime() - days * DAY_MS).toISOString());
    },
  };
}

/** Runs the sweep hourly. */
export const forecastRetentionSchedule: PeriodicJob[] = [{ name: FORECAST_RETENTION_JOB, intervalMs: 3_600_000 }];
