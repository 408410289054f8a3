import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { pageQuery } from '../database/pagination.ts';
import type { SortKey } from '../database/pagination.ts';
import type { Database } from '../database/schema.ts';
import type { TenantScope } from './auth-context.ts';
import { updateWithinScope, withinScope } from './scope.ts';
import type {
  ApiKeyId,
  ApiKeysTable,
  CustomerRole,
  CustomersTable,
  SessionId,
  SessionsTable,
  UserId,
  UsersTable,
} from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type Customer = Selectable<CustomersTable>;
export type User = Selectable<UsersTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type Session = Selectable<SessionsTable>;

/** A tenant's users oldest first, so its first owner leads the list; id as tiebreaker. */
export const OLDEST_USERS: SortKey = {
  name: 'created_at',
  expression: sql.ref('users.created_at'),
  idColumn: 'users.id',
  direction: 'asc',
};

/**
 * One tenant's API keys and its users' sessions, bound to the scope at creation: every query
 * starts from it, so a method cannot reach another tenant's rows.
 */
export function identityTenantRepository(db: Db, scope: TenantScope) {
  return {
    listApiKeys: () =>
      withinScope(db.selectFrom('api_keys').selectAll(), scope, 'customer_id')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute(),
    findApiKey: (id: ApiKeyId) =>
      withinScope(db.selectFrom('api_keys').selectAll(), scope, 'customer_id').where('id', '=', id).executeTakeFirst(),
    revokeApiKey: (id: ApiKeyId, now: string) =>
      updateWithinScope(db.updateTable('api_keys').set({ revoked_at: now }), scope, 'customer_id')
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    /** One page of the tenant's users (one row more than the limit, see `toPage`). */
    listUsers: (page: { limit?: number | undefined; cursor?: string | undefined }) =>
      pageQuery(
        withinScope(db.selectFrom('users').selectAll(), scope, 'users.customer_id'),
        OLDEST_USERS,
        page,
      ).execute(),
    findUser: (id: UserId) =>
      withinScope(db.selectFrom('users').selectAll(), scope, 'customer_id').where('id', '=', id).executeTakeFirst(),
    countOwners: async () =>
      Number(
        (
          await withinScope(
            db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')),
            scope,
            'customer_id',
          )
            .where('role', '=', 'owner')
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /**
     * Locks the tenant's row until the transaction ends (a no-op write), so concurrent role changes
     * of one tenant run one after the other and cannot both remove one of its last two owners.
     */
    lockTenant: () =>
      db
        .updateTable('customers')
        .set((eb) => ({ updated_at: eb.ref('updated_at') }))
        .where('id', '=', scope.customerId as string)
        .execute(),
    setUserRole: (id: UserId, role: CustomerRole, now: string) =>
      updateWithinScope(db.updateTable('users').set({ role, updated_at: now }), scope, 'customer_id')
        .where('id', '=', id)
        .execute(),
    /** Revokes a session of any user of the tenant (an admin's action). */
    revokeSession: (id: SessionId, now: string) =>
      db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where('user_id', 'in', withinScope(db.selectFrom('users').select('id'), scope, 'customer_id'))
        .executeTakeFirst(),
  };
}

export type IdentityTenantRepository = ReturnType<typeof identityTenantRepository>;

/**
 * The identity lookups that precede any tenant (credentials by token hash, users by email) and
 * provisioning (tenants, users, setup tokens). No rules here: the use cases decide.
 */
export function identitySystemRepository(db: Db) {
  return {
    insertCustomer: (row: Customer) => db.insertInto('customers').values(row).execute(),
    findCustomer: (id: string) => db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst(),
    findCustomerByName: (name: string) =>
      db.selectFrom('customers').selectAll().where('name', '=', name).executeTakeFirst(),

    insertUser: (row: User) => db.insertInto('users').values(row).execute(),
    findUserById: (id: UserId) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    findUserByEmail: (email: string) =>
      db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
    countPlatformAdmins: async () =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('role', '=', 'platform_admin')
            .executeTakeFirstOrThrow()
        ).n,
      ),
    setPassword: (userId: UserId, hash: string, now: string) =>
      db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', userId).execute(),
    /** Replaces the hash only if it is still the one verified, so a concurrent password change wins. */
    replacePasswordHash: (userId: UserId, previousHash: string, hash: string, now: string) =>
      db
        .updateTable('users')
        .set({ password_hash: hash, updated_at: now })
        .where('id', '=', userId)
        .where('password_hash', '=', previousHash)
        .execute(),
    touchLogin: (userId: UserId, now: string) =>
      db.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute(),

    insertSession: (row: Session) => db.insertInto('sessions').values(row).execute(),
    /** The session, its user and the user's tenant tier in one query (one lookup per request). */
    findSessionByTokenHash: (tokenHash: string) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .leftJoin('customers', 'customers.id', 'users.customer_id')
        .select([
          'sessions.id as session_id',
          'sessions.csrf_token',
          'sessions.expires_at',
          'sessions.revoked_at',
          'sessions.last_seen_at',
          'users.id as user_id',
          'users.customer_id',
          'users.role',
          'users.status as user_status',
          'customers.tier',
          'customers.status as customer_status',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst(),
    extendSession: (id: SessionId, lastSeen: string, expiresAt: string) =>
      db.updateTable('sessions').set({ last_seen_at: lastSeen, expires_at: expiresAt }).where('id', '=', id).execute(),
    revokeOwnSession: (id: SessionId, userId: UserId, now: string) =>
      db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    revokeUserSessions: (userId: UserId, now: string) =>
      db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute(),
    listActiveSessions: (userId: UserId, now: string) =>
      db
        .selectFrom('sessions')
        .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute(),

    insertApiKey: (row: ApiKey) => db.insertInto('api_keys').values(row).execute(),
    findApiKeyByHash: (keyHash: string) =>
      db
        .selectFrom('api_keys')
        .innerJoin('customers', 'customers.id', 'api_keys.customer_id')
        .select([
          'api_keys.id',
          'api_keys.customer_id',
          'api_keys.created_by',
          'api_keys.role',
          'api_keys.scopes',
          'api_keys.expires_at',
          'api_keys.revoked_at',
          'api_keys.last_used_at',
          'customers.tier',
          'customers.status as customer_status',
        ])
        .where('api_keys.key_hash', '=', keyHash)
        .executeTakeFirst(),
    touchApiKey: (id: ApiKeyId, now: string) =>
      db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute(),

    insertSetupToken: (row: { token_hash: string; user_id: UserId; created_at: string; expires_at: string }) =>
      db
        .insertInto('setup_tokens')
        .values({ ...row, used_at: null })
        .execute(),
    findUsableSetupToken: (tokenHash: string, now: string) =>
      db
        .selectFrom('setup_tokens')
        .select('user_id')
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst(),
    /** Retires a user's unused setup tokens when a new one is issued. */
    retireSetupTokens: (userId: UserId, now: string) =>
      db
        .updateTable('setup_tokens')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute(),
    consumeSetupToken: (tokenHash: string, now: string) =>
      db
        .updateTable('setup_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('user_id')
        .executeTakeFirst(),
  };
}

export type IdentitySystemRepository = ReturnType<typeof identitySystemRepository>;
