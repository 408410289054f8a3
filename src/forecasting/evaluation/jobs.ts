/**
 * The cost evaluation jobs. `forecasting.data_changed` (enqueued by every write of cost data, see
 * records/store.ts) detects the tenant's new anomalies and evaluates its budgets; a job whose data
 * version is older than the tenant's does nothing, since the newer write enqueued its own.
 * `forecasting.daily_check` runs once a day: it evaluates the budgets of every tenant that has some
 * (the month turns, a forecast moves without new data) and re-detects anomalies of tenants whose
 * data changed in the last two days (yesterday's partial day has become a complete one).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import type { JobHandler, PeriodicJob } from '../../jobs/index.ts';
import { PermanentFailure } from '../../jobs/index.ts';
import { evaluateAnomalies } from '../anomalies/evaluate.ts';
import { tenantsChangedSince } from '../anomalies/repository.ts';
import { evaluateBudgets } from '../budgets/evaluate.ts';
import { customersWithBudgets } from '../budgets/repository.ts';
import { costProfile, DATA_CHANGED_JOB } from '../records/store.ts';
import type { DataChangedPayload } from '../records/store.ts';

export const DAILY_CHECK_JOB = 'forecasting.daily_check';

const DAY_MS = 86_400_000;
/** Tenants per page of the daily walk: bounded memory however many tenants have budgets. */
const TENANT_PAGE = 100;
/** Data changed this recently: its last partial day may have become complete since. */
const RECENT_CHANGE_MS = 2 * DAY_MS;

function isDataChanged(payload: unknown): payload is DataChangedPayload {
  const p = payload as Partial<DataChangedPayload> | null;
  return typeof p?.customerId === 'string' && typeof p.dataVersion === 'number';
}

/** Anomalies, then budgets, of one tenant with cost data. */
async function evaluateTenant(db: Kysely<Database>, customerId: string, currency: string, now: Date) {
  await evaluateAnomalies(db, customerId, currency, now);
  await evaluateBudgets(db, customerId, currency, now);
}

const dataChanged: JobHandler = async (job, ctx) => {
  if (!isDataChanged(job.payload)) throw new PermanentFailure('payload is not {customerId, dataVersion}');
  const { customerId, dataVersion } = job.payload;
  const profile = await costProfile(ctx.db, customerId);
  if (!profile || profile.dataVersion > dataVersion) return;
  await evaluateTenant(ctx.db, customerId, profile.currency, ctx.now());
};

const dailyCheck: JobHandler = async (_job, ctx) => {
  const now = ctx.now();
  let after: string | null = null;
  for (;;) {
    const page = await customersWithBudgets(ctx.db, after, TENANT_PAGE);
    for (const customerId of page) {
      if (ctx.signal.aborted) return;
      const profile = await costProfile(ctx.db, customerId);
      if (profile) await evaluateBudgets(ctx.db, customerId, profile.currency, now);
    }
    if (page.length < TENANT_PAGE) break;
    after = page[page.length - 1] as string;
  }
  for (const { customerId, currency } of await tenantsChangedSince(
    ctx.db,
    new Date(now.getTime() - RECENT_CHANGE_MS),
  )) {
    if (ctx.signal.aborted) return;
    await evaluateAnomalies(ctx.db, customerId, currency, now);
  }
};

/** Job handlers of the cost evaluation. */
export const costEvaluationJobs: Record<string, JobHandler> = {
  [DATA_CHANGED_JOB]: dataChanged,
  [DAILY_CHECK_JOB]: dailyCheck,
};

/** The daily check. */
export const costEvaluationPeriodicJobs: readonly PeriodicJob[] = [{ name: DAILY_CHECK_JOB, intervalMs: DAY_MS }];
