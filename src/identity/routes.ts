import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../runtime/context.ts';
import { setupLink } from './setup-link.ts';
import { forbidden } from '../errors/app-error.ts';
import { listEnvelope } from '../http/pagination.ts';
import { AUTHENTICATED, authOf, SESSION_COOKIE } from './authenticate.ts';
import type { AuthContext } from './auth-context.ts';
import type { Permission } from './permissions.ts';
import type { ApiKey, User } from './repository.ts';
import {
  ApiKeyView,
  CreateApiKeyBody,
  CreatedApiKeyResponse,
  CreatedTenantResponse,
  CreateTenantBody,
  IdParams,
  InviteUserBody,
  LoginBody,
  LoginResponse,
  MeResponse,
  SessionView,
  SetupBody,
  TenantUserView,
  UpdateUserBody,
  UserListQuery,
  UserPage,
  UserSetupLinkResponse,
  UserView,
} from './schemas.ts';
import type { IdentityService } from './service.ts';
// Path ids are only text until a query finds (or does not find) the row they name.
import type { ApiKeyId, SessionId, UserId } from './tables.ts';

const presentUser = (user: User) => ({
  id: user.id,
  customer_id: user.customer_id,
  email: user.email,
  name: user.name,
  role: user.role,
  created_at: user.created_at,
});
/** A user as the tenant's admins see them: with whether the setup link is still pending. */
const presentTenantUser = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  status:
    user.status === 'disabled'
      ? ('disabled' as const)
      : user.password_hash
        ? ('active' as const)
        : ('setup_pending' as const),
  password_set: user.password_hash !== null,
  created_at: user.created_at,
  last_login_at: user.last_login_at,
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

/** The tenant of a credential managing users (staff hold no `users:manage`, so this is a guard). */
function tenantOf(auth: AuthContext): string {
  if (!auth.customerId) throw forbidden('Users belong to a tenant');
  return auth.customerId;
}

/** Login, logout, sessions, the setup link, API keys, the tenant's users and tenant creation. */
export function identityRoutes(ctx: AppContext, identity: IdentityService): FastifyPluginAsyncTypebox {
  const publicUrlIsHttps = ctx.config.publicUrl?.startsWith('https:') === true;
  // Where setup links point: PUBLIC_URL when set, else the address the request came to (as the CLI does).
  const baseUrlOf = (request: { protocol: string; host: string }) =>
    ctx.config.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  const withSetupLink = (request: { protocol: string; host: string }, issued: { user: User; setupToken: string }) => ({
    user: presentTenantUser(issued.user),
    setup_link: setupLink(baseUrlOf(request), issued.setupToken),
    setup_token: issued.setupToken,
  });
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

    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: "List the tenant's users, oldest first",
          querystring: UserListQuery,
          response: { 200: UserPage },
        },
        config: { permission: 'users:manage' },
      },
      async (request) =>
        listEnvelope('users', await identity.listUsers(tenantOf(authOf(request)), request.query), presentTenantUser),
    );

    app.post(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Invite a user: the answer holds their one-time setup link (shown once)',
          description:
            'The role may not exceed the role of the credential inviting. The user sets a password with the link (valid 7 days).',
          body: InviteUserBody,
          response: { 201: UserSetupLinkResponse },
        },
        config: { permission: 'users:manage' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const invited = await identity.inviteUser({
          customerId: tenantOf(auth),
          email: request.body.email,
          name: request.body.name,
          role: request.body.role,
          grantor: auth,
        });
        return reply.code(201).send(withSetupLink(request, invited));
      },
    );

    app.patch(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: "Change a user's role",
          description:
            'Neither the new role nor the current one may exceed the role of the credential. The tenant keeps at least one owner (409).',
          params: IdParams,
          body: UpdateUserBody,
          response: { 200: TenantUserView },
        },
        config: { permission: 'users:manage' },
      },
      async (request) => {
        const auth = authOf(request);
        return presentTenantUser(
          await identity.changeRole({
            customerId: tenantOf(auth),
            id: request.params.id as UserId,
            role: request.body.role,
            grantor: auth,
          }),
        );
      },
    );

    app.post(
      '/users/:id/setup-link',
      {
        schema: {
          tags: ['users'],
          summary: 'Issue a new one-time setup link for a user (shown once)',
          description:
            "Earlier unused links stop working; a password already set keeps working until the link is used. Not for a user whose role exceeds the credential's.",
          params: IdParams,
          response: { 201: UserSetupLinkResponse },
        },
        config: { permission: 'users:manage' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const issued = await identity.reissueSetupToken({
          customerId: tenantOf(auth),
          id: request.params.id as UserId,
          grantor: auth,
        });
        return reply.code(201).send(withSetupLink(request, issued));
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
