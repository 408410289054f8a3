import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../runtime/context.ts';
import { forbidden } from '../errors/app-error.ts';
import { AUTHENTICATED, authOf, SESSION_COOKIE } from './authenticate.ts';
import type { Permission } from './permissions.ts';
import type { ApiKey, User } from './repository.ts';
import {
  ApiKeyView,
  CreateApiKeyBody,
  CreatedApiKeyResponse,
  CreatedTenantResponse,
  CreateTenantBody,
  IdParams,
  LoginBody,
  LoginResponse,
  MeResponse,
  SessionView,
  SetupBody,
  UserView,
} from './schemas.ts';
import type { IdentityService } from './service.ts';
// Path ids are only text until a query finds (or does not find) the row they name.
import type { ApiKeyId, SessionId } from './tables.ts';

const presentUser = (user: User) => ({
  id: user.id,
  customer_id: user.customer_id,
  email: user.email,
  name: user.name,
  role: user.role,
  created_at: user.created_at,
});
const presentApiKey = (key: ApiKey) => ({
  id: key.id,
  name: key.name,
  prefix: `${key.prefix}…`,
  role: key.role,
  scopes: JSON.parse(key.scopes) as string[],
  created_at: key.created_at,
  last_used_at: key.last_used_at,
  expires_at: key.expires_at,
  revoked_at: key.revoked_at,
});

/** Login, logout, sessions, the setup link, API keys and tenant creation. */
export function identityRoutes(ctx: AppContext, identity: IdentityService): FastifyPluginAsyncTypebox {
  const publicUrlIsHttps = ctx.config.publicUrl?.startsWith('https:') === true;
  return async (app) => {
    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Log in with email and password',
          description: 'Failed logins are limited per account and per client address (429 with Retry-After).',
          security: [],
          body: LoginBody,
          response: { 200: LoginResponse },
        },
        config: { public: true },
      },
      async (request, reply) => {
        const session = await identity.login({
          email: request.body.email,
          password: request.body.password,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        });
        // request.protocol honours X-Forwarded-Proto only from a proxy TRUST_PROXY trusts.
        const secure = publicUrlIsHttps || request.protocol === 'https';
        reply.setCookie(SESSION_COOKIE, session.token, {
          httpOnly: true,
          sameSite: 'lax',
          secure,
          path: '/',
          expires: new Date(session.expiresAt),
        });
        return {
          token: session.token,
          csrf_token: session.csrfToken,
          expires_at: session.expiresAt,
          user: presentUser(session.user),
        };
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: { tags: ['auth'], summary: 'End the current session', response: { 204: Type.Null() } },
        config: { permission: AUTHENTICATED },
      },
      async (request, reply) => {
        const auth = authOf(request);
        if (auth.kind === 'session') await identity.logout(auth);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/auth/setup',
      {
        schema: {
          tags: ['auth'],
          summary: 'Set a password with the one-time setup token',
          security: [],
          body: SetupBody,
          response: { 200: UserView },
        },
        config: { public: true },
      },
      async (request) =>
        presentUser(
          await identity.completeSetup({ token: request.body.token, password: request.body.password, ip: request.ip }),
        ),
    );

    app.get(
      '/auth/sessions',
      {
        schema: {
          tags: ['auth'],
          summary: 'List your active sessions',
          response: {
            200: Type.Object({ sessions: Type.Array(SessionView, { description: 'Active sessions, newest first' }) }),
          },
        },
        config: { permission: AUTHENTICATED },
      },
      async (request) => {
        const auth = authOf(request);
        if (!auth.userId || auth.kind !== 'session') throw forbidden('Sessions belong to users; log in to list them');
        return { sessions: await identity.listSessions(auth.userId) };
      },
    );

    app.delete(
      '/auth/sessions/:id',
      {
        schema: {
          tags: ['auth'],
          summary: 'Revoke a session',
          description:
            'With a session: any session of your own. With `users:manage`: any session of a user of your tenant.',
          params: IdParams,
          response: { 204: Type.Null() },
        },
        config: { permission: AUTHENTICATED },
      },
      async (request, reply) => {
        await identity.revokeSession(authOf(request), request.params.id as SessionId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/me',
      {
        schema: { tags: ['auth'], summary: 'Who the credential is', response: { 200: MeResponse } },
        config: { permission: AUTHENTICATED },
      },
      async (request) => {
        const auth = authOf(request);
        const user = auth.userId ? await identity.findUser(auth.userId) : undefined;
        const customer = auth.customerId ? await identity.findCustomer(auth.customerId) : undefined;
        return {
          user_id: auth.userId,
          email: user?.email ?? null,
          name: user?.name ?? null,
          customer_id: auth.customerId,
          customer_name: customer?.name ?? null,
          tier: auth.tier,
          role: auth.role,
          credential: auth.kind,
          permissions: [...auth.permissions],
        };
      },
    );

    app.post(
      '/api-keys',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'Create an API key (the secret is shown once)',
          body: CreateApiKeyBody,
          response: { 201: CreatedApiKeyResponse },
        },
        config: { permission: 'api_keys:manage' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        if (!auth.customerId) throw forbidden('API keys belong to a tenant');
        const created = await identity.createApiKey({
          customerId: auth.customerId,
          name: request.body.name,
          role: request.body.role ?? 'member',
          scopes: (request.body.scopes ?? []) as Permission[],
          expiresAt: request.body.expires_at ?? null,
          grantor: auth,
        });
        return reply.code(201).send({ api_key: presentApiKey(created.apiKey), key: created.key });
      },
    );

    app.get(
      '/api-keys',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'List API keys',
          response: {
            200: Type.Object({
              api_keys: Type.Array(ApiKeyView, {
                description: 'Keys of the tenant, newest first (revoked ones included)',
              }),
            }),
          },
        },
        config: { permission: 'api_keys:manage' },
      },
      async (request) => {
        const auth = authOf(request);
        return { api_keys: (await identity.listApiKeys(auth.customerId as string)).map(presentApiKey) };
      },
    );

    app.delete(
      '/api-keys/:id',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'Revoke an API key (effective on the next request)',
          params: IdParams,
          response: { 200: ApiKeyView },
        },
        config: { permission: 'api_keys:manage' },
      },
      async (request) => {
        const auth = authOf(request);
        const key = await identity.revokeApiKey(auth.customerId as string, request.params.id as ApiKeyId, auth.userId);
        return presentApiKey(key as ApiKey);
      },
    );

    app.post(
      '/admin/tenants',
      {
        schema: {
          tags: ['admin'],
          summary: 'Create a tenant with its owner and an admin API key',
          body: CreateTenantBody,
          response: { 201: CreatedTenantResponse },
        },
        config: { permission: 'tenants:manage' },
      },
      async (request, reply) => {
        const created = await identity.createTenant({
          name: request.body.name,
          tier: request.body.tier,
          adminEmail: request.body.admin_email,
        });
        const key = created.apiKey.key;
        return reply.code(201).send({
          customer_id: created.customer.id,
          user_id: created.user.id,
          key,
          api_key: key,
          setup_token: created.setupToken,
        });
      },
    );
  };
}
