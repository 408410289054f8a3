/**
 * The SQL of stored anomalies, nothing else: tenant-scoped reads for the API, and the evaluation
 * job's insert, which keeps one row per tenant, day and service and reports only the rows it added.
 */
import { sql } from 'kysely';
import type { Insertable, Selectable } from 'kysely';
import type { TenantScope } from '../../identity/auth-context.ts';
import { withinScope } from '../../identity/scope.ts';
import { pageQuery } from '../../database/pagination.ts';
import type { SortKey } from '../../database/pagination.ts';
import type { Executor } from '../../jobs/types.ts';
import type { AnomalyId } from '../ids.ts';
import type { CostAnomaliesTable } from '../tables.ts';

export type AnomalyRow = Selectable<CostAnomaliesTable>;

/** Newest day first, id as tiebreaker. */
export const NEWEST_ANOMALIES: SortKey = {
  name: 'date',
  expression: sql.ref('cost_anomalies.date'),
  idColumn: 'cost_anomalies.id',
  direction: 'desc',
};

/** Filters of the anomaly list. */
export interface AnomalyFilter {
  from?: string | undefined;
  to?: string | undefined;
  service?: string | undefined;
  direction?: 'spike' | 'drop' | undefined;
}

/** Anomaly reads of one tenant scope. */
export function anomalyRepository(db: Executor, scope: TenantScope) {
  const anomalies = () => withinScope(db.selectFrom('cost_anomalies').selectAll(), scope, 'cost_anomalies.customer_id');
  return {
    list(filter: AnomalyFilter, page: { limit?: number | undefined; cursor?: string | undefined }) {
      let query = anomalies();
      if (filter.from) query = query.where('date', '>=', filter.from);
      if (filter.to) query = query.where('date', '<=', filter.to);
      if (filter.service) query = query.where('service', '=', filter.service);
      if (filter.direction) query = query.where('direction', '=', filter.direction);
      return pageQuery(query, NEWEST_ANOMALIES, page).execute();
    },
    find(id: AnomalyId): Promise<AnomalyRow | undefined> {
      return anomalies().where('cost_anomalies.id', '=', id).executeTakeFirst();
    },
  };
}

/** Rows per INSERT: 14 columns each stays far below both dialects' parameter limits. */
const CHUNK = 500;

/** Inserts the anomalies not stored yet (unique per tenant, day and service); returns those added. */
export async function insertNewAnomalies(
  db: Executor,
  rows: readonly Insertable<CostAnomaliesTable>[],
): Promise<AnomalyRow[]> {
  const added: AnomalyRow[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    added.push(
      ...(await db
        .insertInto('cost_anomalies')
        .values(rows.slice(start, start + CHUNK))
        .onConflict((oc) => oc.columns(['customer_id', 'date', 'service']).doNothing())
        .returningAll()
        .execute()),
    );
  }
  return added;
}

/** Tenants whose cost data was written since `since`, with their currency (the daily re-detection). */
export async function tenantsChangedSince(
  db: Executor,
  since: Date,
): Promise<{ customerId: string; currency: string }[]> {
  const rows = await db
    .selectFrom('cost_profiles')
    .select(['customer_id', 'currency'])
    .where('updated_at', '>=', since.toISOString())
    .orderBy('customer_id')
    .execute();
  return rows.map((row) => ({ customerId: row.customer_id, currency: row.currency }));
}
