import { forbidden } from '../errors/app-error.ts';
import type { AuthContext } from '../identity/auth-context.ts';
import { scopeOf } from '../identity/auth-context.ts';

/** The caller's tenant: cost data always belongs to one tenant, never to "all tenants". */
export function tenantIdOf(auth: AuthContext): string {
  const scope = scopeOf(auth);
  if (scope.kind !== 'tenant') throw forbidden('Cost data is read and written with a tenant’s credentials');
  return scope.customerId;
}
