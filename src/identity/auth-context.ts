import type { Tier } from '../config/config.ts';
import { AppError, forbidden } from '../errors/app-error.ts';
import { isStaffRole, ROLE_PERMISSIONS } from './permissions.ts';
import type { Permission } from './permissions.ts';
import type { ApiKeyId, CustomerRole, Role, SessionId, UserId } from './tables.ts';

/** Who is calling: resolved once per request from the Bearer token, API key or session cookie. */
export interface AuthContext {
  kind: 'session' | 'api_key';
  /** The user (for an API key: its creator, or null for CLI-made keys). */
  userId: UserId | null;
  /** The tenant of the credential; null for SecureBase staff. */
  customerId: string | null;
  tier: Tier | null;
  role: Role;
  isStaff: boolean;
  /** Session or API key id: the rate-limit and idempotency owner. */
  credentialId: SessionId | ApiKeyId;
  /** Effective permissions: the role's, narrowed by an API key's scopes. */
  permissions: ReadonlySet<Permission>;
  /** The session was presented as a cookie (writes then need the CSRF header). */
  viaCookie: boolean;
}

/** Builds the effective permission set of a role, optionally narrowed by API key scopes. */
export function effectivePermissions(role: Role, scopes?: readonly string[] | null): ReadonlySet<Permission> {
  const granted = ROLE_PERMISSIONS[role];
  if (!scopes || scopes.length === 0) return new Set(granted);
  return new Set(granted.filter((p) => scopes.includes(p)));
}

const CUSTOMER_ROLE_RANK: Record<CustomerRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/**
 * Throws 403 naming the field unless a credential with `role` narrowed by `scopes` stays within
 * the grantor: the role no higher than the grantor's, every scope one the grantor holds, and the
 * resulting permissions a subset of the grantor's. Every path that hands out rights goes through here.
 */
export function assertWithinGrantor(
  grantor: Pick<AuthContext, 'role' | 'permissions'>,
  role: CustomerRole,
  scopes: readonly Permission[],
): void {
  const refuse = (field: string, message: string) =>
    new AppError('forbidden', `Cannot grant more than this credential holds: ${field} ${message}`, {
      errors: [{ field, message }],
    });
  if (isStaffRole(grantor.role) || CUSTOMER_ROLE_RANK[role] > CUSTOMER_ROLE_RANK[grantor.role as CustomerRole]) {
    throw refuse('role', `must not exceed this credential's role (${grantor.role})`);
  }
  const foreignScope = scopes.find((scope) => !grantor.permissions.has(scope));
  if (foreignScope) throw refuse('scopes', `includes ${foreignScope}, which this credential does not hold`);
  const extra = [...effectivePermissions(role, scopes)].find((permission) => !grantor.permissions.has(permission));
  if (extra)
    throw refuse('scopes', `would grant ${extra}, which this credential does not hold; list only scopes it holds`);
}

/** Throws 403 unless the caller holds the permission. */
export function requirePermission(auth: AuthContext, permission: Permission): void {
  if (!auth.permissions.has(permission)) {
    throw forbidden(`This credential lacks the ${permission} permission`);
  }
}

/**
 * The tenant boundary every repository query starts from. Customers are confined to their own
 * tenant; staff see every tenant, optionally narrowed to one (an explicit choice, never implied).
 */
export type TenantScope =
  { kind: 'tenant'; customerId: string } | { kind: 'all_tenants'; customerId?: string | undefined };

/** The scope of a request; `staffCustomerFilter` is honoured only for staff. */
export function scopeOf(auth: AuthContext, staffCustomerFilter?: string): TenantScope {
  if (auth.isStaff) return { kind: 'all_tenants', customerId: staffCustomerFilter };
  if (!auth.customerId) throw forbidden('This credential belongs to no tenant');
  return { kind: 'tenant', customerId: auth.customerId };
}
