import type { CustomerRole, Role } from './tables.ts';

/** What a credential may do. API key scopes are drawn from the same list. */
export const PERMISSIONS = [
  'tickets:read',
  'tickets:write',
  'webhooks:read',
  'webhooks:manage',
  'api_keys:manage',
  'users:manage',
  'cost:read',
  'cost:write',
  'budgets:manage',
  'notifications:read',
  'tenants:manage',
  'events:publish',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['tickets:read', 'webhooks:read', 'cost:read', 'notifications:read'];
const MEMBER: Permission[] = [...VIEWER, 'tickets:write', 'cost:write'];
const ADMIN: Permission[] = [...MEMBER, 'webhooks:manage', 'api_keys:manage', 'users:manage', 'budgets:manage'];
const AGENT: Permission[] = ['tickets:read', 'tickets:write', 'notifications:read'];

/** Each role's permissions. Staff never manage tenants' webhooks or see their secrets. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: VIEWER,
  member: MEMBER,
  admin: ADMIN,
  owner: ADMIN,
  agent: AGENT,
  platform_admin: [...AGENT, 'tenants:manage', 'events:publish'],
};

/** The roles of a tenant's users, highest first. */
export const CUSTOMER_ROLES = ['owner', 'admin', 'member', 'viewer'] as const satisfies readonly CustomerRole[];

export const STAFF_ROLES: readonly Role[] = ['agent', 'platform_admin'];

export function isStaffRole(role: Role): boolean {
  return STAFF_ROLES.includes(role);
}
