import { Type } from 'typebox';
import { Described, NullableString, NullableTimestamp, Timestamp } from '../http/schema-types.ts';
import { TIERS } from '../config/config.ts';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { CUSTOMER_ROLES, PERMISSIONS } from '../identity/permissions.ts';

export const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Email address',
  examples: ['ada@example.com'],
});
export const Password = Type.String({
  minLength: 12,
  maxLength: 256,
  description: 'At least 12 characters',
  examples: ['correct horse battery staple'],
});

export const LoginBody = Type.Object(
  {
    email: Email,
    password: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The account password',
      examples: ['correct horse battery staple'],
    }),
  },
  { additionalProperties: false },
);

export const SetupBody = Type.Object(
  {
    token: Type.String({
      minLength: 10,
      maxLength: 200,
      description: 'The one-time setup token printed at first start',
    }),
    password: Password,
  },
  { additionalProperties: false },
);

export const UserView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'User id' }),
  customer_id: NullableString('Tenant; null for SecureBase staff'),
  email: Email,
  name: Type.String({ description: 'Display name' }),
  role: Type.String({ description: 'owner, admin, member, viewer, agent or platform_admin' }),
  created_at: Timestamp('When the user was created'),
});

export const LoginResponse = Type.Object({
  token: Type.String({ description: 'Session token for `Authorization: Bearer`; also set as an HttpOnly cookie' }),
  csrf_token: Type.String({ description: 'Send as `x-csrf-token` on writes authenticated by the cookie' }),
  expires_at: Timestamp('When the session expires unless used (sliding)'),
  user: Described(UserView, 'The user now logged in'),
});

export const SessionView = Type.Object({
  id: Type.String({ description: 'Session id' }),
  created_at: Timestamp('Login time'),
  last_seen_at: Timestamp('Last request (to the minute)'),
  expires_at: Timestamp('Expiry'),
  ip: NullableString('Client address at login'),
  user_agent: NullableString('Client at login'),
});

export const MeResponse = Type.Object({
  user_id: NullableString('The user behind the credential'),
  email: NullableString('Email of that user; null for keys made by the CLI'),
  name: NullableString('Display name of that user; null for keys made by the CLI'),
  customer_id: NullableString('Tenant of the credential'),
  customer_name: NullableString('Name of that tenant; null for SecureBase staff'),
  tier: NullableString('Tenant tier'),
  role: Type.String({ description: 'Role the credential acts with' }),
  credential: Type.Union([Type.Literal('session'), Type.Literal('api_key')], { description: 'Kind of credential' }),
  permissions: Type.Array(Type.String(), { description: 'Effective permissions' }),
});

export const Scope = Type.Union(
  PERMISSIONS.map((p) => Type.Literal(p)),
  { description: 'A permission' },
);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'What the key is for', examples: ['CI pipeline'] }),
    role: Type.Optional(
      Type.Union([Type.Literal('admin'), Type.Literal('member'), Type.Literal('viewer')], {
        default: 'member',
        description: 'Role the key acts with',
      }),
    ),
    scopes: Type.Optional(
      Type.Array(Scope, {
        maxItems: 20,
        uniqueItems: true,
        description: 'Narrow the role to these permissions; empty = all of the role',
      }),
    ),
    expires_at: Type.Optional(NullableTimestamp('Optional expiry; null or absent for none')),
  },
  { additionalProperties: false },
);

export const ApiKeyView = Type.Object({
  id: Type.String({ description: 'Key id' }),
  name: Type.String({ description: 'Name' }),
  prefix: Type.String({ description: 'First characters of the key, for recognition', examples: ['sb_live_ab12cd'] }),
  role: Type.String({ description: 'Role' }),
  scopes: Type.Array(Type.String(), { description: 'Scopes (empty = all of the role)' }),
  created_at: Timestamp('Creation time'),
  last_used_at: NullableTimestamp('Last use (to the minute)'),
  expires_at: NullableTimestamp('Expiry'),
  revoked_at: NullableTimestamp('Revocation time'),
});

export const CreatedApiKeyResponse = Type.Object({
  api_key: Described(ApiKeyView, 'The key as listed from now on'),
  key: Type.String({ description: 'The secret key. Shown once; store it now.' }),
});

export const CreateTenantBody = Type.Object(
  {
    name: Type.String({ minLength: 2, maxLength: 200, description: 'Organisation name', examples: ['Acme Bank'] }),
    tier: Type.Union(
      TIERS.map((t) => Type.Literal(t)),
      { description: 'Tier (sets SLA targets and limits)' },
    ),
    admin_email: Email,
  },
  { additionalProperties: false },
);

export const CreatedTenantResponse = Type.Object({
  customer_id: Type.String({ description: 'The new tenant' }),
  user_id: Type.String({ description: 'Its owner' }),
  key: Type.String({ description: 'The secret of an admin API key of the tenant. Shown once; store it now.' }),
  api_key: Type.String({ description: 'Deprecated: the same secret as `key`', deprecated: true }),
  setup_token: NullableString('One-time token for the owner to set a password (POST /v1/auth/setup)'),
});

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100, description: 'Identifier' }) },
  { additionalProperties: false },
);

export const CustomerRoleSchema = Type.Union(
  CUSTOMER_ROLES.map((role) => Type.Literal(role)),
  { description: 'Role in the tenant: owner, admin, member or viewer (highest first)' },
);

export const TenantUserView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'User id' }),
  email: Email,
  name: Type.String({ description: 'Display name' }),
  role: Type.String({ description: 'owner, admin, member or viewer' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('setup_pending'), Type.Literal('disabled')], {
    description: 'setup_pending: no password set yet (the setup link is unused)',
  }),
  password_set: Type.Boolean({ description: 'Whether the user has set a password' }),
  created_at: Timestamp('When the user was created'),
  last_login_at: NullableTimestamp('Last password login'),
});

export const UserListQuery = Type.Object(PageQuery, { additionalProperties: false });

export const UserPage = PageOf('users', TenantUserView);

export const InviteUserBody = Type.Object(
  {
    email: Email,
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name', examples: ['Ada Lovelace'] }),
    role: Described(CustomerRoleSchema, 'Role in the tenant; never above the role of the credential inviting'),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  { role: Described(CustomerRoleSchema, 'New role; never above the role of the credential changing it') },
  { additionalProperties: false },
);

export const UserSetupLinkResponse = Type.Object({
  user: Described(TenantUserView, 'The user'),
  setup_link: Type.String({
    description: 'The portal page where the user sets a password (valid 7 days, once). Shown once.',
    examples: ['https://portal.example.com/setup#token=abc'],
  }),
  setup_token: Type.String({ description: 'The one-time token in the link, for POST /v1/auth/setup. Shown once.' }),
});
