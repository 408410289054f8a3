import type { Kysely } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { Database } from '../../database/schema.ts';
import { enqueueJob } from '../../jobs/enqueue.ts';

/** One aggregated day of one service in one account and region, ready to store. */
export interface DailyCost {
  date: string;
  service: string;
  /** '' when unknown. */
  accountId: string;
  /** '' when unknown. */
  region: string;
  tags: Record<string, string>;
  amountMicros: number;
}

/** The job every write of cost data enqueues: budgets and anomalies are evaluated on new data. */
export const DATA_CHANGED_JOB = 'forecasting.data_changed';

/** Payload of {@link DATA_CHANGED_JOB}: a job older than the tenant's data version has nothing to do. */
export interface DataChangedPayload {
  customerId: string;
  dataVersion: number;
}

/** Delay that lets a burst of writes (an import's batches) end in one evaluation. */
const EVALUATION_DELAY_MS = 2_000;

/** Rows per INSERT: 10 parameters a row stays far below both dialects' parameter limits. */
const CHUNK = 500;

/**
 * The one write path of cost data, inside the caller's transaction: fixes the tenant's currency on
 * its first write (a different currency later is a 422 naming it), replaces each day × service ×
 * account × region it is given (re-sending a day replaces it), bumps the tenant's data version
 * (forecasts are cached per version) and enqueues the evaluation of budgets and anomalies.
 */
export async function writeDailyCosts(
  trx: Kysely<Database>,
  input: { customerId: string; currency: string; rows: readonly DailyCost[]; source: string; now: Date },
): Promise<{ written: number; dataVersion: number }> {
  const { customerId, currency, rows, source, now } = input;
  const at = now.toISOString();
  await trx
    .insertInto('cost_profiles')
    .values({ customer_id: customerId, currency, data_version: 0, updated_at: at })
    .onConflict((oc) => oc.column('customer_id').doNothing())
    .execute();
  const profile = await trx
    .updateTable('cost_profiles')
    .set((eb) => ({ data_version: eb('data_version', '+', 1), updated_at: at }))
    .where('customer_id', '=', customerId)
    .returning(['currency', 'data_version'])
    .executeTakeFirstOrThrow();
  if (profile.currency !== currency) {
    throw new AppError(
      'unprocessable',
      `This tenant's costs are in ${profile.currency}; ${currency} cannot be mixed in`,
      { errors: [{ field: 'currency', message: `must be ${profile.currency}, the tenant's currency` }] },
    );
  }
  for (let start = 0; start < rows.length; start += CHUNK) {
    await trx
      .insertInto('cost_records')
      .values(
        rows.slice(start, start + CHUNK).map((row) => ({
          customer_id: customerId,
          date: row.date,
          service: row.service,
          account_id: row.accountId,
          region: row.region,
          tags: JSON.stringify(row.tags),
          amount_micros: row.amountMicros,
          currency,
          source,
          updated_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['customer_id', 'date', 'service', 'account_id', 'region']).doUpdateSet((eb) => ({
          amount_micros: eb.ref('excluded.amount_micros'),
          tags: eb.ref('excluded.tags'),
          source: eb.ref('excluded.source'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  const dataVersion = Number(profile.data_version);
  const payload: DataChangedPayload = { customerId, dataVersion };
  await enqueueJob(
    trx,
    {
      name: DATA_CHANGED_JOB,
      payload,
      runAt: new Date(now.getTime() + EVALUATION_DELAY_MS),
      uniqueKey: `${DATA_CHANGED_JOB}:${customerId}:${dataVersion}`,
    },
    now,
  );
  return { written: rows.length, dataVersion };
}

/** The tenant's currency and data version, or null before its first record. */
export async function costProfile(
  db: Kysely<Database>,
  customerId: string,
): Promise<{ currency: string; dataVersion: number } | null> {
  const row = await db
    .selectFrom('cost_profiles')
    .select(['currency', 'data_version'])
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row ? { currency: row.currency, dataVersion: Number(row.data_version) } : null;
}

/** A day's cost of one service, summed over accounts and regions. */
export interface ServiceDay {
  date: string;
  service: string;
  amountMicros: number;
}

/**
 * The tenant's daily cost per service, ordered by date then service, optionally within
 * [from, to] (inclusive YYYY-MM-DD): the input of forecasts, anomalies and budgets.
 */
export async function dailyCostsByService(
  db: Kysely<Database>,
  customerId: string,
  range: { from?: string; to?: string } = {},
): Promise<ServiceDay[]> {
  let query = db
    .selectFrom('cost_records')
    .select((eb) => ['date', 'service', eb.fn.sum<number | string>('amount_micros').as('amount')])
    .where('customer_id', '=', customerId)
    .groupBy(['date', 'service'])
    .orderBy('date')
    .orderBy('service');
  if (range.from) query = query.where('date', '>=', range.from);
  if (range.to) query = query.where('date', '<=', range.to);
  // PostgreSQL sums bigint as numeric (text on the wire); both are exact integers here.
  return (await query.execute()).map((row) => ({
    date: row.date,
    service: row.service,
    amountMicros: Number(row.amount),
  }));
}
