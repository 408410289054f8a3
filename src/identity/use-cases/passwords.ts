import { uuidv7 } from '../../database/ids.ts';
import { windowCountersFor } from '../../rate-limits/counters.ts';
import { AppError, notFound, unauthenticated } from '../../errors/app-error.ts';
import { createAttemptLimiter } from '../attempt-limiter.ts';
import { normalizeEmail } from '../email.ts';
import type { User } from '../repository.ts';
import type { SessionId } from '../tables.ts';
import { dummyPasswordHash, hashPassword, needsRehash, randomToken, sha256, verifyPassword } from '../secrets.ts';
import type { IdentityUseCaseDeps } from './deps.ts';
import { assertNotThrottled, LOGIN_LIMITS, recordAttempt, SETUP_LIMITS } from './limits.ts';
import type { LimitCheck } from './limits.ts';
import { insertSetupToken, validEmail } from './provision.ts';

/**
 * Password login and the one-time setup token. Attempts are counted where every API process on
 * the database sees them (windowCountersFor): failed logins per account and per address, setup
 * attempts per address and per token. A counter that cannot be reached fails the attempt, as the
 * database it lives in would: the throttle guards passwords, so it fails closed.
 */
export function passwordUseCases(deps: IdentityUseCaseDeps) {
  const { db, clock, repositories, passwordHashing, sessionTtlHours } = deps;
  const now = () => clock().toISOString();
  const dummyHash = dummyPasswordHash(passwordHashing);
  const counters = windowCountersFor(db);
  const loginFailures = {
    account: createAttemptLimiter('login-account', LOGIN_LIMITS.perAccount, counters, clock),
    address: createAttemptLimiter('login-address', LOGIN_LIMITS.perAddress, counters, clock),
  };
  const setupAttempts = {
    address: createAttemptLimiter('setup-address', SETUP_LIMITS.perAddress, counters, clock),
    token: createAttemptLimiter('setup-token', SETUP_LIMITS.perToken, counters, clock),
  };

  return {
    /**
     * Password login; the same generic error for an unknown email and a wrong password. A hash
     * made with outdated parameters is replaced after the password verified.
     */
    async login(input: { email: string; password: string; ip: string | null; userAgent: string | null }) {
      const email = normalizeEmail(input.email);
      const limits: LimitCheck[] = [
        [loginFailures.account, email],
        [loginFailures.address, input.ip],
      ];
      await assertNotThrottled('failed logins', limits);
      const users = repositories.system(db);
      const user = await users.findUserByEmail(email);
      const valid = await verifyPassword(input.password, user?.password_hash ?? dummyHash);
      if (!user || !user.password_hash || !valid || user.status !== 'active') {
        await recordAttempt(limits);
        throw unauthenticated('Email or password is incorrect');
      }
      await loginFailures.account.reset(email);
      if (needsRehash(user.password_hash, passwordHashing)) {
        await users.replacePasswordHash(
          user.id,
          user.password_hash,
          await hashPassword(input.password, passwordHashing),
          now(),
        );
      }
      const token = randomToken();
      const csrfToken = randomToken(18);
      const expiresAt = new Date(clock().getTime() + sessionTtlHours * 3600_000).toISOString();
      const session = {
        id: uuidv7() as SessionId,
        user_id: user.id,
        token_hash: sha256(token),
        csrf_token: csrfToken,
        created_at: now(),
        last_seen_at: now(),
        expires_at: expiresAt,
        revoked_at: null,
        ip: input.ip,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
      };
      await users.insertSession(session);
      await users.touchLogin(user.id, now());
      return { token, csrfToken, expiresAt, user };
    },

    /** A new one-time setup token for a user (`admin reset-password`); earlier unused ones stop working. */
    async issueSetupToken(email: string): Promise<{ user: User; setupToken: string }> {
      const user = await repositories.system(db).findUserByEmail(validEmail(email, 'email'));
      if (!user) throw notFound('User');
      const setupToken = await db.transaction().execute(async (trx) => {
        await repositories.system(trx).retireSetupTokens(user.id, now());
        return insertSetupToken(deps, trx, user.id);
      });
      return { user, setupToken };
    },

    /**
     * Sets the password of the user a setup token was issued for; the token works once, and the
     * user's existing sessions end. The password is hashed between the token check and the
     * transaction that consumes the token, never inside it.
     */
    async completeSetup(input: { token: string; password: string; ip: string | null }): Promise<User> {
      const tokenHash = sha256(input.token);
      const limits: LimitCheck[] = [
        [setupAttempts.address, input.ip],
        [setupAttempts.token, tokenHash],
      ];
      await assertNotThrottled('setup attempts', limits);
      await recordAttempt(limits);
      const invalid = () =>
        new AppError('unauthenticated', 'The setup token is invalid, used or expired', {
          errors: [{ field: 'token', message: 'is invalid, used or expired' }],
        });
      if (!(await repositories.system(db).findUsableSetupToken(tokenHash, now()))) throw invalid();
      const passwordHash = await hashPassword(input.password, passwordHashing);
      return db.transaction().execute(async (trx) => {
        const users = repositories.system(trx);
        const used = await users.consumeSetupToken(tokenHash, now());
        if (!used) throw invalid();
        await users.setPassword(used.user_id, passwordHash, now());
        await users.revokeUserSessions(used.user_id, now());
        const user = await users.findUserById(used.user_id);
        if (!user) throw notFound('User');
        return user;
      });
    },
  };
}
