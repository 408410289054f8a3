import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database/schema.ts';
import type { CustomerRole, Role, StaffRole, UserId } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A user as other features address them: who, which tenant (null for staff) and role. */
export interface DirectoryUser {
  id: UserId;
  customerId: string | null;
  role: Role;
}

/** Ids per `in (...)` list. */
const ID_CHUNK = 5_000;

/**
 * Read-only lookups of active users for features that address people (notifications): by role
 * within a tenant, across every active tenant, among staff, or by id. Disabled users and users of
 * suspended tenants are never returned.
 */
export function userDirectory(db: Db) {
  const activeCustomerUsers = () =>
    db
      .selectFrom('users')
      .innerJoin('customers', 'customers.id', 'users.customer_id')
      .select(['users.id as id', 'users.customer_id as customerId', 'users.role as role'])
      .where('users.status', '=', 'active')
      .where('customers.status', '=', 'active');
  return {
    /** Active users of one active tenant holding one of the roles. */
    tenantUsersWithRoles: async (customerId: string, roles: readonly CustomerRole[]): Promise<DirectoryUser[]> =>
      roles.length === 0
        ? []
        : activeCustomerUsers().where('users.customer_id', '=', customerId).where('users.role', 'in', roles).execute(),
    /** Active users of every active tenant holding one of the roles (a platform-wide announcement). */
    customerUsersWithRoles: async (roles: readonly CustomerRole[]): Promise<DirectoryUser[]> =>
      roles.length === 0 ? [] : activeCustomerUsers().where('users.role', 'in', roles).execute(),
    /** Active SecureBase staff holding one of the roles. */
    staffWithRoles: async (roles: readonly StaffRole[]): Promise<DirectoryUser[]> =>
      roles.length === 0
        ? []
        : db
            .selectFrom('users')
            .select(['id', 'customer_id as customerId', 'role'])
            .where('customer_id', 'is', null)
            .where('status', '=', 'active')
            .where('role', 'in', roles)
            .execute(),
    /** The active ones among these ids (staff, or customer users of an active tenant). */
    activeUsers: async (ids: readonly string[]): Promise<DirectoryUser[]> => {
      const found: DirectoryUser[] = [];
      for (let start = 0; start < ids.length; start += ID_CHUNK) {
        const part = ids.slice(start, start + ID_CHUNK) as UserId[];
        found.push(
          ...(await db
            .selectFrom('users')
            .leftJoin('customers', 'customers.id', 'users.customer_id')
            .select(['users.id as id', 'users.customer_id as customerId', 'users.role as role'])
            .where('users.id', 'in', part)
            .where('users.status', '=', 'active')
            .where((eb) => eb.or([eb('users.customer_id', 'is', null), eb('customers.status', '=', 'active')]))
            .execute()),
        );
      }
      return found;
    },
  };
}

export type UserDirectory = ReturnType<typeof userDirectory>;
