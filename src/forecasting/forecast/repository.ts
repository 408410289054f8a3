/**
 * The forecast's storage: the cached results in `cost_forecasts` (one row per tenant, month the
 * forecast was made in and parameters, holding the data version it was computed from), the range
 * of days with data and the monthly sums per service, the tenant's recent anomalies (written by the anomaly detector) and the sweep of
 * cached results past their retention.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import type { Executor } from '../../jobs/types.ts';
import type { ServiceMonth } from './compute.ts';

/** A cached forecast: the data version it was computed from and the stored response. */
export interface CachedForecast {
  dataVersion: number;
  result: string;
}

/** Rows per DELETE of the sweep: short statements, never holding the database for long. */
const SWEEP_CHUNK = 5_000;
/** Chunks per sweep run; what is left waits for the next run. */
const SWEEP_MAX_ROUNDS = 100;

export function forecastRepository(db: Kysely<Database>) {
  return {
    cached: async (customerId: string, periodMonth: string, paramsKey: string): Promise<CachedForecast | null> => {
      const row = await db
        .selectFrom('cost_forecasts')
        .select(['data_version', 'result'])
        .where('customer_id', '=', customerId)
        .where('period_month', '=', periodMonth)
        .where('params_key', '=', paramsKey)
        .executeTakeFirst();
      return row ? { dataVersion: Number(row.data_version), result: row.result } : null;
    },

    /** Stores a result unless a result of a newer data version is already there. */
    store: async (row: {
      customerId: string;
      periodMonth: string;
      paramsKey: string;
      dataVersion: number;
      result: string;
      createdAt: string;
    }): Promise<void> => {
      await db
        .insertInto('cost_forecasts')
        .values({
          customer_id: row.customerId,
          period_month: row.periodMonth,
          params_key: row.paramsKey,
          data_version: row.dataVersion,
          result: row.result,
          created_at: row.createdAt,
        })
        .onConflict((oc) =>
          oc
            .columns(['customer_id', 'period_month', 'params_key'])
            .doUpdateSet((eb) => ({
              data_version: eb.ref('excluded.data_version'),
              result: eb.ref('excluded.result'),
              created_at: eb.ref('excluded.created_at'),
            }))
            .where('cost_forecasts.data_version', '<=', (eb) => eb.ref('excluded.data_version')),
        )
        .execute();
    },

    /**
     * The tenant's first and last day with cost data on or before `through`, or nulls: two probes
     * of the primary key's (customer_id, date) prefix, never a scan of the tenant's rows.
     */
    dayRange: async (customerId: string, through: string): Promise<{ first: string | null; last: string | null }> => {
      const edge = (direction: 'asc' | 'desc') =>
        db
          .selectFrom('cost_records')
          .select('date')
          .where('customer_id', '=', customerId)
          .where('date', '<=', through)
          .orderBy('date', direction)
          .limit(1)
          .executeTakeFirst();
      const [first, last] = await Promise.all([edge('asc'), edge('desc')]);
      return { first: first?.date ?? null, last: last?.date ?? null };
    },

    /**
     * The tenant's cost per calendar month and service through `through`, summed in SQL: a few
     * hundred rows for years of daily data, where the daily rows would be tens of thousands.
     */
    monthlyCosts: async (customerId: string, through: string): Promise<ServiceMonth[]> => {
      const month = sql<string>`substr(date, 1, 7)`;
      const rows = await db
        .selectFrom('cost_records')
        .select((eb) => [month.as('month'), 'service', eb.fn.sum<number | string>('amount_micros').as('amount')])
        .where('customer_id', '=', customerId)
        .where('date', '<=', through)
        .groupBy([month, 'service'])
        .execute();
      // PostgreSQL sums bigint as numeric (text on the wire); both are exact integers here.
      return rows.map((row) => ({ month: row.month, service: row.service, amountMicros: Number(row.amount) }));
    },

    /** The tenant's anomalies on or after `since`, newest first, at most `limit`. */
  };
}

export type ForecastRepository = ReturnType<typeof forecastRepository>;

/** Deletes cached forecasts created before `before`, in bounded chunks; returns how many went. */
export async function sweepCachedForecasts(db: Executor, before: string): Promise<number> {
  let deleted = 0;
  for (let round = 0; round < SWEEP_MAX_ROUNDS; round += 1) {
    const result = await db
      .deleteFrom('cost_forecasts')
      .where((eb) =>
        eb(
          eb.refTuple('customer_id', 'period_month', 'params_key'),
          'in',
          eb
            .selectFrom('cost_forecasts')
            .select(['customer_id', 'period_month', 'params_key'])
            .where('created_at', '<', before)
            .limit(SWEEP_CHUNK)
            .$asTuple('customer_id', 'period_month', 'params_key'),
        ),
      )
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    deleted += count;
    if (count < SWEEP_CHUNK) break;
  }
  return deleted;
}
