import type { Kysely } from 'kysely';
import type { Clock } from '../config/clock.ts';
import type { Tier } from '../config/config.ts';
import { uuidv7 } from '../database/ids.ts';
import type { Database } from '../database/schema.ts';
import { emitEvent } from '../events/outbox.ts';
import { AppError, forbidden, invalidField, notFound, unauthenticated } from '../errors/app-error.ts';
import { createAttemptLimiter } from './attempt-limiter.ts';
import type { AttemptLimit, AttemptLimiter } from './attempt-limiter.ts';
import { assertWithinGrantor, effectivePermissions } from './auth-context.ts';
import type { AuthContext } from './auth-context.ts';
import { isValidEmail, normalizeEmail } from './email.ts';
import { isStaffRole } from './permissions.ts';
import type { Permission } from './permissions.ts';
import { identityRepository as repo } from './repository.ts';
import type { ApiKey, Customer, User } from './repository.ts';
import { API_KEY_PREFIX, dummyPasswordHash, generateApiKey, hashPassword, needsRehash, OWASP_SCRYPT, randomToken, sha256, verifyPassword } from './secrets.ts';
import type { ScryptParams } from './secrets.ts';
import type { CustomerRole, Role, StaffRole } from './tables.ts';

export interface IdentityDeps {
  db: Kysely<Database>;
  clock: Clock;
  sessionTtlHours: number;
  /** Cost of new password hashes; OWASP's by default (tests pass a cheaper one to stay fast). */
  passwordHashing?: ScryptParams;
}

/** Who hands out an API key: a request's credential (bounded by its own rights) or the local operator (the CLI). */
export type Grantor = AuthContext | 'operator';

/** An API key as shown after creation: the secret appears here and nowhere else, ever. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  key: string;
}

// last_used_at and sliding expiry are written at most once a minute per credential, so
// authenticating a request is a read, not a write, on the hot path.
const TOUCH_INTERVAL_MS = 60_000;
const SETUP_TOKEN_TTL_MS = 7 * 24 * 3600_000;
const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * Login failures per account across addresses, and per address much higher, so one person
 * cannot lock out an office behind one address. Successful logins do not count.
 */
export const LOGIN_LIMITS: { perAccount: AttemptLimit; perAddress: AttemptLimit } = {
  perAccount: { limit: 10, windowMs: QUARTER_HOUR_MS },
  perAddress: { limit: 100, windowMs: QUARTER_HOUR_MS },
};
/** Setup attempts (a token works once, so every attempt counts) per address and per token. */
export const SETUP_LIMITS: { perAddress: AttemptLimit; perToken: AttemptLimit } = {
  perAddress: { limit: 20, windowMs: QUARTER_HOUR_MS },
  perToken: { limit: 5, windowMs: QUARTER_HOUR_MS },
};

function tooManyAttempts(what: string, waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError('rate_limited', `Too many ${what}; try again in ${seconds} seconds`, { extra: { retry_after_seconds: seconds }, headers: { 'retry-after': String(seconds) } });
}

/** Throws 429 when any of the limiters holds its key back. */
function assertNotThrottled(what: string, checks: Array<[AttemptLimiter, string | null]>): void {
  const waitMs = Math.max(0, ...checks.map(([limiter, key]) => (key === null ? 0 : limiter.retryAfterMs(key))));
  if (waitMs > 0) throw tooManyAttempts(what, waitMs);
}

function record(checks: Array<[AttemptLimiter, string | null]>): void {
  for (const [limiter, key] of checks) if (key !== null) limiter.record(key);
}

/** The email as stored, or 400 naming the field with the rule the API schema applies. */
function validEmail(email: string, field: string): string {
  const normalized = normalizeEmail(email);
  if (!isValidEmail(normalized)) throw invalidField(field, 'must be an email address');
  return normalized;
}

/** Tenants, users, passwords, sessions and API keys. */
export function createIdentityService({ db, clock, sessionTtlHours, passwordHashing = OWASP_SCRYPT }: IdentityDeps) {
  const now = () => clock().toISOString();
  const dummyHash = dummyPasswordHash(passwordHashing);
  const loginFailures = { account: createAttemptLimiter(LOGIN_LIMITS.perAccount, clock), address: createAttemptLimiter(LOGIN_LIMITS.perAddress, clock) };
  const setupAttempts = { address: createAttemptLimiter(SETUP_LIMITS.perAddress, clock), token: createAttemptLimiter(SETUP_LIMITS.perToken, clock) };

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

  /** `passwordHash` is computed before the transaction: nothing but database work runs inside one. */
  async function createUserIn(trx: Kysely<Database>, input: { customerId: string | null; email: string; name: string; role: Role; passwordHash: string | null }): Promise<{ user: User; setupToken: string | null }> {
    const email = input.email;
    if (await repo.findUserByEmail(trx, email)) throw new AppError('conflict', `A user with email ${email} already exists`, { errors: [{ field: 'email', message: 'is already registered' }] });
    const user: User = {
      id: uuidv7(),
      customer_id: input.customerId,
      email,
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash,
      status: 'active',
      created_at: now(),
      updated_at: now(),
      last_login_at: null,
    };
    await repo.insertUser(trx, user);
    const setupToken = input.passwordHash ? null : await issueSetupTokenIn(trx, user.id);
    return { user, setupToken };
  }

  async function issueSetupTokenIn(trx: Kysely<Database>, userId: string): Promise<string> {
    const setupToken = randomToken();
    await repo.insertSetupToken(trx, { token_hash: sha256(setupToken), user_id: userId, created_at: now(), expires_at: new Date(clock().getTime() + SETUP_TOKEN_TTL_MS).toISOString() });
    return setupToken;
  }

  const hashIfGiven = (password: string | undefined) => (password ? hashPassword(password, passwordHashing) : Promise.resolve(null));

  return {
    /** A tenant with its first owner and an admin API key (the CLI's `admin create-tenant`). */
    async createTenant(input: { name: string; tier: Tier; adminEmail: string; adminName?: string; adminPassword?: string }) {
      const adminEmail = validEmail(input.adminEmail, 'admin_email');
      const passwordHash = await hashIfGiven(input.adminPassword);
      return db.transaction().execute(async (trx) => {
        const customer: Customer = { id: uuidv7(), name: input.name, tier: input.tier, status: 'active', last_ticket_number: 1000, created_at: now(), updated_at: now() };
        await repo.insertCustomer(trx, customer);
        const { user, setupToken } = await createUserIn(trx, { customerId: customer.id, email: adminEmail, name: input.adminName ?? adminEmail, role: 'owner', passwordHash });
        const created = await createApiKeyIn(trx, { customerId: customer.id, name: 'Initial admin key', role: 'admin', scopes: [], createdBy: user.id });
        return { customer, user, setupToken, apiKey: created };
      });
    },

    /** A user in a tenant (customer roles) or on the SecureBase staff (customerId null). */
    async createUser(input: { customerId: string | null; email: string; name: string; role: Role; password?: string }) {
      if ((input.customerId === null) !== isStaffRole(input.role)) {
        throw new AppError('validation_failed', 'Staff roles belong to no tenant; customer roles need one', { errors: [{ field: 'role', message: 'does not fit the tenant' }] });
      }
      const email = validEmail(input.email, 'email');
      const passwordHash = await hashIfGiven(input.password);
      return db.transaction().execute((trx) => createUserIn(trx, { ...input, email, passwordHash }));
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

    /** A new one-time setup token for a user (`admin reset-password`); earlier unused ones stop working. */
    async issueSetupToken(email: string): Promise<{ user: User; setupToken: string }> {
      const user = await repo.findUserByEmail(db, validEmail(email, 'email'));
      if (!user) throw notFound('User');
      const setupToken = await db.transaction().execute(async (trx) => {
        await repo.retireSetupTokens(trx, user.id, now());
        return issueSetupTokenIn(trx, user.id);
      });
      return { user, setupToken };
    },

    /**
     * Sets the password of the user a setup token was issued for; the token works once, and the
     * user's existing sessions end. Limited per address and per token: every attempt counts.
     */
    async completeSetup(input: { token: string; password: string; ip: string | null }): Promise<User> {
      const tokenHash = sha256(input.token);
      const limits: Array<[AttemptLimiter, string | null]> = [[setupAttempts.address, input.ip], [setupAttempts.token, tokenHash]];
      assertNotThrottled('setup attempts', limits);
      record(limits);
      const invalid = () => new AppError('unauthenticated', 'The setup token is invalid, used or expired', { errors: [{ field: 'token', message: 'is invalid, used or expired' }] });
      if (!(await repo.findUsableSetupToken(db, tokenHash, now()))) throw invalid();
      const passwordHash = await hashPassword(input.password, passwordHashing);
      return db.transaction().execute(async (trx) => {
        const used = await repo.consumeSetupToken(trx, tokenHash, now());
        if (!used) throw invalid();
        await repo.setPassword(trx, used.user_id, passwordHash, now());
        await repo.revokeUserSessions(trx, used.user_id, now());
        const user = await repo.findUserById(trx, used.user_id);
        if (!user) throw notFound('User');
        return user;
      });
    },

    /**
     * Password login; the same generic error for an unknown email and a wrong password. Failures
     * are limited per account and per address; a hash made with outdated parameters is replaced.
     */
    async login(input: { email: string; password: string; ip: string | null; userAgent: string | null }) {
      const email = normalizeEmail(input.email);
      const limits: Array<[AttemptLimiter, string | null]> = [[loginFailures.account, email], [loginFailures.address, input.ip]];
      assertNotThrottled('failed logins', limits);
      const user = await repo.findUserByEmail(db, email);
      const valid = await verifyPassword(input.password, user?.password_hash ?? dummyHash);
      if (!user || !user.password_hash || !valid || user.status !== 'active') {
        record(limits);
        throw unauthenticated('Email or password is incorrect');
      }
      loginFailures.account.reset(email);
      if (needsRehash(user.password_hash, passwordHashing)) {
        await repo.replacePasswordHash(db, user.id, user.password_hash, await hashPassword(input.password, passwordHashing), now());
      }
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
    /**
     * Sessions are managed by a session of their own user, or by an admin of the user's tenant
     * (`users:manage`); an API key acting for its creator may not log the creator out.
     */
    async revokeSession(auth: AuthContext, sessionId: string) {
      const ownSession = auth.kind === 'session' && auth.userId !== null;
      const tenantAdmin = auth.customerId !== null && auth.permissions.has('users:manage');
      if (!ownSession && !tenantAdmin) throw forbidden('Sessions are managed by a session of their own user or by an admin');
      let revoked = ownSession ? Number((await repo.revokeSession(db, sessionId, auth.userId as string, now())).numUpdatedRows) : 0;
      if (revoked === 0 && tenantAdmin) revoked = Number((await repo.revokeTenantSession(db, sessionId, auth.customerId as string, now())).numUpdatedRows);
      if (revoked === 0) throw notFound('Session');
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

    /** A key of the tenant; a credential may hand out no role or scope beyond its own. */
    async createApiKey(input: { customerId: string; name: string; role: CustomerRole; scopes: Permission[]; expiresAt?: string | null; grantor: Grantor }): Promise<CreatedApiKey> {
      const { grantor, ...key } = input;
      if (grantor !== 'operator') assertWithinGrantor(grantor, key.role, key.scopes);
      if (!(await repo.findCustomer(db, input.customerId))) throw notFound('Customer');
      return db.transaction().execute((trx) => createApiKeyIn(trx, { ...key, createdBy: grantor === 'operator' ? null : grantor.userId }));
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
