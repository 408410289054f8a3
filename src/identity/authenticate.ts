import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, unauthenticated } from '../errors/app-error.ts';
import { requirePermission } from './auth-context.ts';
import type { AuthContext } from './auth-context.ts';
import type { Permission } from './permissions.ts';
import type { IdentityService } from './service.ts';

export const SESSION_COOKIE = 'sb_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller; set on every route that is not `config.public`. */
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** No credential needed (health, login, docs). */
    public?: boolean;
    /** The permission a credential needs for this route (403 without it). */
    permission?: Permission;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/** The caller of a route that requires authentication (set by the hook below). */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthenticated();
  return request.auth;
}

/**
 * Resolves the credential of every non-public route before anything else runs, then checks the
 * route's declared permission. Cookie-authenticated writes must echo the session's CSRF token.
 */
export function registerAuthentication(app: FastifyInstance, identity: IdentityService): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public || !request.routeOptions.url) return;
    const bearer = bearerToken(request);
    const cookie = bearer === undefined ? request.cookies?.[SESSION_COOKIE] : undefined;
    const token = bearer ?? cookie;
    if (!token) throw unauthenticated();
    const auth = await identity.authenticate(token, bearer === undefined);
    if (!auth) throw unauthenticated();
    if (auth.viaCookie && !SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== auth.csrfToken) {
      throw new AppError('forbidden', `Cookie-authenticated writes need the ${CSRF_HEADER} header from login`);
    }
    const { csrfToken: _csrf, ...context } = auth;
    request.auth = context;
    if (config.permission) requirePermission(context, config.permission);
  });
}
