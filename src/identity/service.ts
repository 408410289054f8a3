import type { Kysely } from 'kysely';
import type { Clock } from '../config/clock.ts';
import type { Tier } from '../config/config.ts';
import { uuidv7 } from '../database/ids.ts';
import type { Database } from '../database/schema.ts';
import { emitEvent } from '../events/outbox.ts';
import { AppError, notFound, unauthenticated } from '../errors/app-error.ts';
import { effectivePermissions } from './auth-context.ts';
import type { AuthContext } from './auth-context.ts';
import { isStaffRole } from './permissions.ts';
import type { Permission } from './permissions.ts';
import { identityRepository as repo } from './repository.ts';
import type { ApiKey, Customer, User } from './repository.ts';
import { API_KEY_PREFIX, DUMMY_PASSWORD_HASH, generateApiKey, hashPassword, randomToken, sha256, verifyPassword } from './secrets.ts';
import type { CustomerRole, Role, StaffRole } from './tables.ts';

export interface IdentityDeps {
  db: Kysely<Database>;
  clock: Clock;
  sessionTtlHours: number;
}

/** An API key as shown after creation: the secret appears here and nowhere else, ever. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  key: string;
}

// last_used_at and sliding expiry are written at most once a minute per credential, so
// authenticating a request is a read, not a write, on the hot path.
const TOUCH_INTERVAL_MS = 60_000;
const SETUP_TOKEN_TTL_MS = 7 * 24 * 3600_000;

/** Tenants, users, passwords, sessions and API keys. */
export function createIdentityService({ db, clock, sessionTtlHours }: IdentityDeps) {
  const now = () => clock().toISOString();

  async function createApiKeyIn(trx: Kysely<Database>, input: { customerId: string; name: string; role: CustomerRole; scopes: Permission[]; expiresAt?: string | null; createdBy: string | null }): Promise<CreatedApiKey> {
    const { key, prefix, hash } = generateApiKey();
    const apiKey: ApiKey = {
      id: uuidv7(),
      customer_id: input.customerId,
      created_by: input.createdBy,
      name: input.name,
      prefix,
      key_hash: hash,
      scopes: JSON.stringify(input.scopes),
      role: input.role,
      created_at: now(),
      last_used_at: null,
      expires_at: input.expiresAt ?? null,
      revoked_at: null,
    };
    await repo.insertApiKey(trx, apiKey);
    await emitEvent(trx, { type: 'api_key.created', customerId: input.customerId, data: { api_key_id: apiKey.id, name: apiKey.name, prefix, scopes: input.scopes, role: input.role } }, clock());
    return { apiKey, key };
  }

  async function createUserIn(trx: Kysely<Database>, input: { customerId: string | null; email: string; name: string; role: Role; password?: string | undefined }): Promise<{ user: User; setupToken: string | null }> {
    const email = input.email.trim().toLowerCase();
    if (await repo.findUserByEmail(trx, email)) throw new AppError('conflict', `A user with email ${email} already exists`, { errors: [{ field: 'email', message: 'is already registered' }] });
    const user: User = {
      id: uuidv7(),
      customer_id: input.customerId,
      email,
      name: input.name,
      role: input.role,
      password_hash: input.password ? await hashPassword(input.password) : null,
      status: 'active',
      created_at: now(),
      updated_at: now(),
      last_login_at: null,
    };
    await repo.insertUser(trx, user);
    let setupToken: string | null = null;
    if (!input.password) {
      setupToken = randomToken();
      await repo.insertSetupToken(trx, { token_hash: sha256(setupToken), user_id: user.id, created_at: now(), expires_at: new Date(clock().getTime() + SETUP_TOKEN_TTL_MS).toISOString() });
    }
    return { user, setupToken };
  }

  return {
    /** A tenant with its first owner and an admin API key (the CLI's `admin create-tenant`). */
    async createTenant(input: { name: string; tier: Tier; adminEmail: string; adminName?: string; adminPassword?: string }) {
      return db.transaction().execute(async (trx) => {
        const customer: Customer = { id: uuidv7(), name: input.name, tier: input.tier, status: 'active', last_ticket_number: 1000, created_at: now(), updated_at: now() };
        await repo.insertCustomer(trx, customer);
        const { user, setupToken } = await createUserIn(trx, { customerId: customer.id, email: input.adminEmail, name: input.adminName ?? input.adminEmail, role: 'owner', password: input.adminPassword });
        const created = await createApiKeyIn(trx, { customerId: customer.id, name: 'Initial admin key', role: 'admin', scopes: [], createdBy: user.id });
        return { customer, user, setupToken, apiKey: created };
      });
    },

    /** A user in a tenant (customer roles) or on the SecureBase staff (customerId null). */
    async createUser(input: { customerId: string | null; email: string; name: string; role: Role; password?: string }) {
      if ((input.customerId === null) !== isStaffRole(input.role)) {
        throw new AppError('validation_failed', 'Staff roles belong to no tenant; customer roles need one', { errors: [{ field: 'role', message: 'does not fit the tenant' }] });
      }
      return db.transaction().execute((trx) => createUserIn(trx, input));
    },

    createStaff(input: { email: string; name: string; role: StaffRole; password?: string }) {
      return this.createUser({ ...input, customerId: null });
    },

    /** First start on an empty database: the platform admin, with a one-time setup token. */
    async bootstrapPlatformAdmin(email = 'admin@securebase.local'): Promise<{ user: User; setupToken: string } | null> {
      if ((await repo.countPlatformAdmins(db)) > 0) return null;
      const { user, setupToken } = await this.createUser({ customerId: null, email, name: 'Platform admin', role: 'platform_admin' });
      return { user, setupToken: setupToken as string };
    },

    /** Sets the password of the user a setup token was issued for; the token works once. */
    async completeSetup(token: string, password: string): Promise<User> {
      return db.transaction().execute(async (trx) => {
        const used = await repo.consumeSetupToken(trx, sha256(token), now());
        if (!used) throw new AppError('unauthenticated', 'The setup token is invalid, used or expired', { errors: [{ field: 'token', message: 'is invalid, used or expired' }] });
        await repo.setPassword(trx, used.user_id, await hashPassword(password), now());
        const user = await repo.findUserById(trx, used.user_id);
        if (!user) throw notFound('User');
        return user;
      });
    },

    /** Password login; the same generic error for an unknown email and a wrong password. */
    async login(input: { email: string; password: string; ip: string | null; userAgent: string | null }) {
      const user = await repo.findUserByEmail(db, input.email.trim().toLowerCase());
      const valid = await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
      if (!user || !user.password_hash || !valid || user.status !== 'active') throw unauthenticated('Email or password is incorrect');
      const token = randomToken();
      const csrfToken = randomToken(18);
      const expiresAt = new Date(clock().getTime() + sessionTtlHours * 3600_000).toISOString();
      const session = { id: uuidv7(), user_id: user.id, token_hash: sha256(token), csrf_token: csrfToken, created_at: now(), last_seen_at: now(), expires_at: expiresAt, revoked_at: null, ip: input.ip, user_agent: input.userAgent?.slice(0, 300) ?? null };
      await repo.insertSession(db, session);
      await repo.touchLogin(db, user.id, now());
      return { token, csrfToken, expiresAt, user };
    },

    logout: (auth: AuthContext) => repo.revokeSession(db, auth.credentialId, auth.userId ?? '', now()),
    listSessions: (userId: string) => repo.listActiveSessions(db, userId, now()),
    async revokeSession(userId: string, sessionId: string) {
      const result = await repo.revokeSession(db, sessionId, userId, now());
      if (Number(result.numUpdatedRows) === 0) throw notFound('Session');
    },

    /**
     * Resolves a bearer token or session cookie to an AuthContext, or null. Revocation and
     * expiry are checked on every request (no cache), so they take effect immediately.
     */
    async authenticate(token: string, viaCookie: boolean): Promise<(AuthContext & { csrfToken?: string }) | null> {
      const current = clock();
      if (token.startsWith(API_KEY_PREFIX)) {
        if (viaCookie) return null;
        const key = await repo.findApiKeyByHash(db, sha256(token));
        if (!key || key.revoked_at || key.customer_status !== 'active') return null;
        if (key.expires_at && key.expires_at <= current.toISOString()) return null;
        if (!key.last_used_at || current.getTime() - Date.parse(key.last_used_at) > TOUCH_INTERVAL_MS) {
          await repo.touchApiKey(db, key.id, current.toISOString());
        }
        const scopes = JSON.parse(key.scopes) as string[];
        return { kind: 'api_key', userId: key.created_by, customerId: key.customer_id, tier: key.tier, role: key.role, isStaff: false, credentialId: key.id, permissions: effectivePermissions(key.role, scopes), viaCookie: false };
      }
      const session = await repo.findSessionByTokenHash(db, sha256(token));
      if (!session || session.revoked_at || session.user_status !== 'active') return null;
      if (session.expires_at <= current.toISOString()) return null;
      if (session.customer_status && session.customer_status !== 'active') return null;
      if (current.getTime() - Date.parse(session.last_seen_at) > TOUCH_INTERVAL_MS) {
        await repo.extendSession(db, session.session_id, current.toISOString(), new Date(current.getTime() + sessionTtlHours * 3600_000).toISOString());
      }
      const role = session.role;
      return { kind: 'session', userId: session.user_id, customerId: session.customer_id, tier: session.tier ?? null, role, isStaff: isStaffRole(role), credentialId: session.session_id, permissions: effectivePermissions(role), viaCookie, csrfToken: session.csrf_token };
    },

    async createApiKey(input: { customerId: string; name: string; role: CustomerRole; scopes: Permission[]; expiresAt?: string | null; createdBy: string | null }): Promise<CreatedApiKey> {
      if (!(await repo.findCustomer(db, input.customerId))) throw notFound('Customer');
      return db.transaction().execute((trx) => createApiKeyIn(trx, input));
    },
    listApiKeys: (customerId: string) => repo.listApiKeys(db, customerId),
    async revokeApiKey(customerId: string, id: string) {
      await db.transaction().execute(async (trx) => {
        const result = await repo.revokeApiKey(trx, customerId, id, now());
        if (Number(result.numUpdatedRows) === 0) {
          if (await repo.findApiKey(trx, customerId, id)) return;
          throw notFound('API key');
        }
        await emitEvent(trx, { type: 'api_key.revoked', customerId, data: { api_key_id: id } }, clock());
      });
      return repo.findApiKey(db, customerId, id);
    },
    findCustomer: (id: string) => repo.findCustomer(db, id),
    findUser: (id: string) => repo.findUserById(db, id),
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
