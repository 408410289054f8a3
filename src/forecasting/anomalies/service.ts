/** Anomaly reads for the API: a tenant's anomalies, filtered and paged; another tenant's is a 404. */
import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { AppError, notFound } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { AnomalyId } from '../ids.ts';
import { anomalyRepository, NEWEST_ANOMALIES } from './repository.ts';
import type { AnomalyFilter, AnomalyRow } from './repository.ts';

function tenantScope(auth: AuthContext) {
  const scope = scopeOf(auth);
  if (scope.kind !== 'tenant') throw new AppError('forbidden', 'Cost anomalies belong to a tenant');
  return scope;
}

export function createAnomalyService(db: Kysely<Database>) {
  return {
    async list(
      auth: AuthContext,
      filter: AnomalyFilter,
      page: { limit?: number | undefined; cursor?: string | undefined },
    ): Promise<Page<AnomalyRow>> {
      const rows = await anomalyRepository(db, tenantScope(auth)).list(filter, page);
      return toPage(rows, NEWEST_ANOMALIES, page.limit, (r) => ({ value: r.date, id: r.id }));
    },
    async get(auth: AuthContext, id: AnomalyId): Promise<AnomalyRow> {
      const row = await anomalyRepository(db, tenantScope(auth)).find(id);
      if (!row) throw notFound('Anomaly');
      return row;
    },
  };
}
