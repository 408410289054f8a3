import type { SelectQueryBuilder, UpdateQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import type { TenantScope } from './auth-context.ts';

/**
 * Restricts a query to the scope's tenant. Every repository query on tenant data goes through
 * here, so a route cannot forget the boundary: a repository method takes a TenantScope, not an id.
 */
export function withinScope<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  scope: TenantScope,
  column: string,
): SelectQueryBuilder<DB, TB, O> {
  if (scope.kind === 'all_tenants' && !scope.customerId) return query;
  return query.where(sql.ref(column), '=', scope.customerId as never);
}

/** The same boundary for updates. */
export function updateWithinScope<DB, UT extends keyof DB, TB extends keyof DB, O>(
  query: UpdateQueryBuilder<DB, UT, TB, O>,
  scope: TenantScope,
  column: string,
): UpdateQueryBuilder<DB, UT, TB, O> {
  if (scope.kind === 'all_tenants' && !scope.customerId) return query;
  return query.where(sql.ref(column), '=', scope.customerId as never);
}
