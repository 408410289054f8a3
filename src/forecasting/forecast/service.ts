/**
 * Serves a tenant's forecast: a cached result is returned when it was computed this month, for the
 * same parameters, from the current data version and up to the same last complete day; otherwise
 * the daily costs are read, the forecast computed (CPU work, outside any transaction) and stored
 * for the next request. Anomalies are read live on every request (the detector writes them after
 * the data changed, possibly after the forecast was cached).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import { presentAnomaly } from '../anomalies/presenter.ts';
import { anomalyRepository } from '../anomalies/repository.ts';
import { costProfile, dailyCostsByService } from '../records/store.ts';
import {
  computeForecast,
  lastCompleteDay,
  nowcastWindowStart,
  type CostHistory,
  type ForecastParams,
  type ForecastReport,
} from './compute.ts';
import { paramsKey } from './params.ts';
import { forecastRepository } from './repository.ts';

/** Anomalies shown beside a forecast: the last 90 days, at most 50. */
const ANOMALY_DAYS = 90;
const ANOMALY_LIMIT = 50;
const DAY_MS = 86_400_000;

/** The forecast response: the computed report and the live anomalies. */
export type ForecastResponse = ForecastReport & { anomalies: Array<ReturnType<typeof presentAnomaly>> };

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function createForecastService(deps: { db: Kysely<Database>; clock: Clock }) {
  const repository = forecastRepository(deps.db);

  async function report(customerId: string, params: ForecastParams, now: Date): Promise<ForecastReport> {
    const today = isoDay(now.getTime());
    const yesterday = lastCompleteDay(today);
    const periodMonth = today.slice(0, 7);
    const key = paramsKey(params);
    const profile = await costProfile(deps.db, customerId);
    const [range, cached] = await Promise.all([
      repository.dayRange(customerId, yesterday),
      repository.cached(customerId, periodMonth, key),
    ]);
    if (profile && cached && cached.dataVersion === profile.dataVersion) {
      const result = JSON.parse(cached.result) as ForecastReport;
      if (result.as_of === range.last) return result;
    }
    const history: CostHistory = { firstDate: range.first, lastDate: range.last, monthly: [], recentDays: [] };
    if (range.last) {
      history.monthly = await repository.monthlyCosts(customerId, range.last);
      history.recentDays = await dailyCostsByService(deps.db, customerId, {
        from: nowcastWindowStart(range.last),
        to: range.last,
      });
    }
    const computed = computeForecast({
      history,
      today,
      params,
      currency: profile?.currency ?? '',
      generatedAt: now.toISOString(),
    });
    if (profile)
      await repository.store({
        customerId,
        periodMonth,
        paramsKey: key,
        dataVersion: profile.dataVersion,
        result: JSON.stringify(computed),
        createdAt: now.toISOString(),
      });
    return computed;
  }

  return {
    /** The tenant's forecast with its recent anomalies; 422 when the history is too short. */
    async forecast(customerId: string, params: ForecastParams): Promise<ForecastResponse> {
      const now = deps.clock();
      const computed = await report(customerId, params, now);
      const rows = await anomalyRepository(deps.db, { kind: 'tenant', customerId }).list(
        { from: isoDay(now.getTime() - ANOMALY_DAYS * DAY_MS) },
        { limit: ANOMALY_LIMIT },
      );
      return { ...computed, anomalies: rows.slice(0, ANOMALY_LIMIT).map(presentAnomaly) };
    },
  };
}

export type ForecastService = ReturnType<typeof createForecastService>;
