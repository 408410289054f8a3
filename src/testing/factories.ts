import type { Tier } from '../config/config.ts';
import type { CustomerRole, StaffRole } from '../identity/tables.ts';
import type { TestServer } from './server.ts';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const PASSWORD = 'test-password-0123456789';

/** A tenant with its owner; `apiKey` is an admin key of the tenant. */
export async function createTenant(server: TestServer, options: { tier?: Tier; name?: string } = {}) {
  const created = await server.identity.createTenant({
    name: options.name ?? `Tenant ${unique()}`,
    tier: options.tier ?? 'standard',
    adminEmail: `owner-${unique()}@example.com`,
    adminPassword: PASSWORD,
  });
  return { customerId: created.customer.id, ownerId: created.user.id, apiKey: created.apiKey.key };
}

/** A user of the tenant with a role, logged in: `token` is a session bearer token. */
export async function createCustomerUser(server: TestServer, customerId: string, role: CustomerRole = 'member') {
  const email = `${role}-${unique()}@example.com`;
  const { user } = await server.identity.createUser({
    customerId,
    email,
    name: `${role} user`,
    role,
    password: PASSWORD,
  });
  const session = await server.identity.login({ email, password: PASSWORD, ip: null, userAgent: null });
  return { userId: user.id, email, token: session.token, csrfToken: session.csrfToken };
}

/** A SecureBase staff user, logged in. */
export async function createStaffUser(server: TestServer, role: StaffRole = 'agent') {
  const email = `${role}-${unique()}@securebase.test`;
  const { user } = await server.identity.createStaff({ email, name: `${role} user`, role, password: PASSWORD });
  const session = await server.identity.login({ email, password: PASSWORD, ip: null, userAgent: null });
  return { userId: user.id, email, token: session.token };
}

/** An API key of the tenant with a role and optional scopes. */
export async function createApiKey(
  server: TestServer,
  customerId: string,
  role: CustomerRole = 'member',
  scopes: string[] = [],
) {
  const created = await server.identity.createApiKey({
    customerId,
    name: `key ${unique()}`,
    role,
    scopes: scopes as never,
    grantor: 'operator',
  });
  return { id: created.apiKey.id, key: created.key };
}

export { PASSWORD as TEST_PASSWORD };
