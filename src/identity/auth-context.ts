import type { Tier } from '../config/config.ts';
import { forbidden } from '../errors/app-error.ts';
import { ROLE_PERMISSIONS } from './permissions.ts';
import type { Permission } from './permissions.ts';
import type { Role } from './tables.ts';

/** Who is calling: resolved once per request from the Bearer token, API key or session cookie. */
export interface AuthContext {
  kind: 'session' | 'api_key';
  /** The user (for an API key: its creator, or null for CLI-made keys). */
  userId: string | null;
  /** The tenant of the credential; null for SecureBase staff. */
  customerId: string | null;
  tier: Tier | null;
  role: Role;
  isStaff: boolean;
  /** Session or API key id: the rate-limit and idempotency owner. */
  credentialId: string;
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
export type TenantScope = { kind: 'tenant'; customerId: string } | { kind: 'all_tenants'; customerId?: string | undefined };

/** The scope of a request; `staffCustomerFilter` is honoured only for staff. */
export function scopeOf(auth: AuthContext, staffCustomerFilter?: string): TenantScope {
  if (auth.isStaff) return { kind: 'all_tenants', customerId: staffCustomerFilter };
  if (!auth.customerId) throw forbidden('This credential belongs to no tenant');
  return { kind: 'tenant', customerId: auth.customerId };
}
