import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AppError, unauthenticated } from '../errors/app-error.ts';
import { requirePermission } from './auth-context.ts';
import type { AuthContext } from './auth-context.ts';
import { PERMISSIONS } from './permissions.ts';
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
    /**
     * The permission a credential needs for this route (403 without it), or `'authenticated'` for
     * routes about the caller itself (any valid credential; the handler decides the rest).
     */
    permission?: Permission | typeof AUTHENTICATED;
  }
}

/** The access of routes open to any valid credential, such as `/me` or logout. */
export const AUTHENTICATED = 'authenticated';

/**
 * Every route must say who may call it: `config.public: true`, or `config.permission` (a
 * permission or {@link AUTHENTICATED}); never both. Closed by default: an undeclared route is a
 * start-up error, not a route open to every signed-in caller.
 */
export function assertAccessDeclared(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): void {
  const config = route.config ?? {};
  const name = `${String(route.method)} ${route.url}`;
  const { permission } = config;
  if (config.public === true) {
    if (permission !== undefined)
      throw new Error(`Route ${name} is public and also declares permission ${permission}; pick one`);
    return;
  }
  if (permission === undefined) {
    throw new Error(
      `Route ${name} declares no access: set config.permission (a permission or '${AUTHENTICATED}') or config.public: true`,
    );
  }
  if (permission !== AUTHENTICATED && !PERMISSIONS.includes(permission))
    throw new Error(`Route ${name} declares an unknown permission ${String(permission)}`);
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

/** A route and who may call it, as declared at registration. */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: 'public' | Permission | typeof AUTHENTICATED;
}

const declaredRoutesOf = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route registered on the app since authentication was set up, with its declared access. */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return declaredRoutesOf.get(app) ?? [];
}

/**
 * Resolves the credential of every non-public route before anything else runs, then checks the
 * route's declared permission. Cookie-authenticated writes must echo the session's CSRF token.
 * While the app is open, changes to API keys made by any process evict them from its cache.
 */
export function registerAuthentication(app: FastifyInstance, identity: IdentityService): void {
  app.decorateRequest('auth', null);
  const stopFollowing = identity.followApiKeyChanges();
  app.addHook('onClose', async () => stopFollowing());
  const declared: DeclaredRoute[] = [];
  declaredRoutesOf.set(app, declared);
  app.addHook('onRoute', (route) => {
    assertAccessDeclared(route);
    const access = route.config?.public === true ? 'public' : (route.config?.permission as DeclaredRoute['access']);
    for (const method of [route.method].flat()) declared.push({ method, url: route.url, access });
  });
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
    // Fails closed even if a route escaped the registration check.
    if (!config.permission) throw new AppError('forbidden', 'This route declares no access');
    if (config.permission !== AUTHENTICATED) requirePermission(context, config.permission);
  });
}
