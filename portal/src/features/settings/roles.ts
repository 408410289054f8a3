// Which roles a caller may hand out, mirroring the server's rule that a credential never grants
// more than its own role (src/identity/auth-context.ts). The server enforces it; the portal only
// avoids offering choices it would refuse.

/** A tenant's roles, highest first. */
export const CUSTOMER_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type CustomerRole = (typeof CUSTOMER_ROLES)[number];

/** API keys act as at most an admin: no key is an owner. */
export const API_KEY_ROLES = ['admin', 'member', 'viewer'] as const satisfies readonly CustomerRole[];
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export function isCustomerRole(role: string): role is CustomerRole {
  return (CUSTOMER_ROLES as readonly string[]).includes(role);
}

/** Higher is more rights; -1 for a role outside the tenant's (staff), which may grant nothing. */
export function roleRank(role: string): number {
  return isCustomerRole(role) ? CUSTOMER_ROLES.length - 1 - CUSTOMER_ROLES.indexOf(role) : -1;
}

/** The roles a caller with `callerRole` may give a user, highest first. */
export function grantableRoles(callerRole: string): CustomerRole[] {
  return CUSTOMER_ROLES.filter((role) => roleRank(role) <= roleRank(callerRole));
}

/** The roles a caller may give an API key, highest first. */
export function grantableApiKeyRoles(callerRole: string): ApiKeyRole[] {
  return API_KEY_ROLES.filter((role) => roleRank(role) <= roleRank(callerRole));
}

/** Whether a caller may change the role of (or issue a setup link for) a user holding `targetRole`. */
export function mayManageUser(callerRole: string, targetRole: string): boolean {
  return roleRank(callerRole) >= 0 && roleRank(targetRole) <= roleRank(callerRole);
}

export function roleLabel(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1).replace(/_/g, ' ');
}
