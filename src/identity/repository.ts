import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../database/schema.ts';
import type { ApiKeysTable, CustomersTable, SessionsTable, UsersTable } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type Customer = Selectable<CustomersTable>;
export type User = Selectable<UsersTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type Session = Selectable<SessionsTable>;

/** SQL for tenants, users, sessions and API keys. No rules here: the service decides. */
export const identityRepository = {
  insertCustomer: (db: Db, row: Customer) => db.insertInto('customers').values(row).execute(),
  findCustomer: (db: Db, id: string) => db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst(),
  findCustomerByName: (db: Db, name: string) => db.selectFrom('customers').selectAll().where('name', '=', name).executeTakeFirst(),

  insertUser: (db: Db, row: User) => db.insertInto('users').values(row).execute(),
  findUserById: (db: Db, id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
  findUserByEmail: (db: Db, email: string) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
  countPlatformAdmins: async (db: Db) =>
    Number((await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'platform_admin').executeTakeFirstOrThrow()).n),
  setPassword: (db: Db, userId: string, hash: string, now: string) =>
    db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', userId).execute(),
  /** Replaces the hash only if it is still the one verified, so a concurrent password change wins. */
  replacePasswordHash: (db: Db, userId: string, previousHash: string, hash: string, now: string) =>
    db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', userId).where('password_hash', '=', previousHash).execute(),
  touchLogin: (db: Db, userId: string, now: string) => db.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute(),

  insertSession: (db: Db, row: Session) => db.insertInto('sessions').values(row).execute(),
  /** The session, its user and the user's tenant tier in one query (one lookup per request). */
  findSessionByTokenHash: (db: Db, tokenHash: string) =>
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
  extendSession: (db: Db, id: string, lastSeen: string, expiresAt: string) =>
    db.updateTable('sessions').set({ last_seen_at: lastSeen, expires_at: expiresAt }).where('id', '=', id).execute(),
  revokeSession: (db: Db, id: string, userId: string, now: string) =>
    db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst(),
  /** Revokes a session of any user of the tenant (an admin's action). */
  revokeTenantSession: (db: Db, id: string, customerId: string, now: string) =>
    db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('customer_id', '=', customerId))
      .executeTakeFirst(),
  revokeUserSessions: (db: Db, userId: string, now: string) =>
    db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute(),
  listActiveSessions: (db: Db, userId: string, now: string) =>
    db
      .selectFrom('sessions')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .execute(),

  insertApiKey: (db: Db, row: ApiKey) => db.insertInto('api_keys').values(row).execute(),
  findApiKeyByHash: (db: Db, keyHash: string) =>
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
  touchApiKey: (db: Db, id: string, now: string) => db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute(),
  listApiKeys: (db: Db, customerId: string) =>
    db.selectFrom('api_keys').selectAll().where('customer_id', '=', customerId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute(),
  revokeApiKey: (db: Db, customerId: string, id: string, now: string) =>
    db.updateTable('api_keys').set({ revoked_at: now }).where('customer_id', '=', customerId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst(),
  findApiKey: (db: Db, customerId: string, id: string) =>
    db.selectFrom('api_keys').selectAll().where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst(),

  insertSetupToken: (db: Db, row: { token_hash: string; user_id: string; created_at: string; expires_at: string }) =>
    db.insertInto('setup_tokens').values({ ...row, used_at: null }).execute(),
  findUsableSetupToken: (db: Db, tokenHash: string, now: string) =>
    db.selectFrom('setup_tokens').select('user_id').where('token_hash', '=', tokenHash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst(),
  /** Retires a user's unused setup tokens when a new one is issued. */
  retireSetupTokens: (db: Db, userId: string, now: string) =>
    db.updateTable('setup_tokens').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute(),
  consumeSetupToken: (db: Db, tokenHash: string, now: string) =>
    db
      .updateTable('setup_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst(),
};
