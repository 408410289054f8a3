import { forbidden, notFound } from '../../errors/app-error.ts';
import { effectivePermissions } from '../auth-context.ts';
import type { AuthContext } from '../auth-context.ts';
import { isStaffRole } from '../permissions.ts';
import { API_KEY_PREFIX, sha256 } from '../secrets.ts';
import type { SessionId, UserId } from '../tables.ts';
import { tenantScope } from './deps.ts';
import type { IdentityUseCaseDeps } from './deps.ts';

// last_used_at and sliding expiry are written at most once a minute per credential, so
// authenticating a request is a read, not a write, on the hot path.
const TOUCH_INTERVAL_MS = 60_000;

/** Resolving credentials, and the life of sessions after login. */
export function sessionUseCases({ db, clock, repositories, sessionTtlHours, apiKeys }: IdentityUseCaseDeps) {
  const now = () => clock().toISOString();
  return {
    /**
     * Resolves a bearer token or session cookie to an AuthContext, or null. Sessions are read on
     * every request. A valid API key is trusted for API_KEY_CACHE_MS (api-key-cache.ts) after it is
     * read (its expiry still checked each time), unless a change to it evicts it first: revoking it
     * through any process takes effect on the next request (api-key-changes.ts).
     */
    async authenticate(token: string, viaCookie: boolean): Promise<(AuthContext & { csrfToken?: string }) | null> {
      const current = clock();
      const credentials = repositories.system(db);
      if (token.startsWith(API_KEY_PREFIX)) {
        if (viaCookie) return null;
        const keyHash = sha256(token);
        const cached = apiKeys.cache.get(keyHash, current);
        if (cached) return cached;
        const generation = apiKeys.cache.generation();
        const key = await credentials.findApiKeyByHash(keyHash);
        if (!key || key.revoked_at || key.customer_status !== 'active') return null;
        if (key.expires_at && key.expires_at <= current.toISOString()) return null;
        if (!key.last_used_at || current.getTime() - Date.parse(key.last_used_at) > TOUCH_INTERVAL_MS) {
          await credentials.touchApiKey(key.id, current.toISOString());
        }
        const scopes = JSON.parse(key.scopes) as string[];
        const auth: AuthContext = {
          kind: 'api_key',
          userId: key.created_by,
          customerId: key.customer_id,
          tier: key.tier,
          role: key.role,
          isStaff: false,
          credentialId: key.id,
          permissions: effectivePermissions(key.role, scopes),
          viaCookie: false,
        };
        apiKeys.cache.set(keyHash, { auth, expiresAt: key.expires_at, verifiedAt: current.getTime() }, generation);
        return auth;
      }
      const session = await credentials.findSessionByTokenHash(sha256(token));
      if (!session || session.revoked_at || session.user_status !== 'active') return null;
      if (session.expires_at <= current.toISOString()) return null;
      if (session.customer_status && session.customer_status !== 'active') return null;
      if (current.getTime() - Date.parse(session.last_seen_at) > TOUCH_INTERVAL_MS) {
        await credentials.extendSession(
          session.session_id,
          current.toISOString(),
          new Date(current.getTime() + sessionTtlHours * 3600_000).toISOString(),
        );
      }
      const role = session.role;
      return {
        kind: 'session',
        userId: session.user_id,
        customerId: session.customer_id,
        tier: session.tier ?? null,
        role,
        isStaff: isStaffRole(role),
        credentialId: session.session_id,
        permissions: effectivePermissions(role),
        viaCookie,
        csrfToken: session.csrf_token,
      };
    },

    /** Ends the caller's session; an API key has none to end. */
    async logout(auth: AuthContext) {
      if (auth.kind !== 'session' || !auth.userId) return;
      await repositories.system(db).revokeOwnSession(auth.credentialId as SessionId, auth.userId, now());
    },
    listSessions: (userId: UserId) => repositories.system(db).listActiveSessions(userId, now()),

    /**
     * Sessions are managed by a session of their own user, or by an admin of the user's tenant
     * (`users:manage`); an API key acting for its creator may not log the creator out.
     */
    async revokeSession(auth: AuthContext, sessionId: SessionId) {
      const ownSession = auth.kind === 'session' && auth.userId !== null;
      const tenantAdmin = auth.customerId !== null && auth.permissions.has('users:manage');
      if (!ownSession && !tenantAdmin)
        throw forbidden('Sessions are managed by a session of their own user or by an admin');
      let revoked = ownSession
        ? Number(
            (await repositories.system(db).revokeOwnSession(sessionId, auth.userId as UserId, now())).numUpdatedRows,
          )
        : 0;
      if (revoked === 0 && tenantAdmin) {
        revoked = Number(
          (await repositories.tenant(db, tenantScope(auth.customerId as string)).revokeSession(sessionId, now()))
            .numUpdatedRows,
        );
      }
      if (revoked === 0) throw notFound('Session');
    },
  };
}
