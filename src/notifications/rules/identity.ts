/** Identity rules: a tenant's owners and admins get a security alert for every API key created or revoked. */
import { Type } from 'typebox';
import { defineRule, excerpt } from './engine.ts';
import type { NotificationRule, Recipients } from './engine.ts';

const ADMINS: Recipients = { kind: 'tenant_roles', roles: ['owner', 'admin'] };
const NullableString = Type.Union([Type.String(), Type.Null()]);

const KeyCreated = Type.Object({
  api_key_id: Type.String(),
  name: Type.String(),
  prefix: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  created_by: Type.Optional(NullableString),
});
const KeyRevoked = Type.Object({
  api_key_id: Type.String(),
  name: Type.Optional(Type.String()),
  revoked_by: Type.Optional(NullableString),
});

export const identityRules: readonly NotificationRule[] = [
  defineRule({
    name: 'api_key.created → owners and admins',
    event: 'api_key.created',
    data: KeyCreated,
    type: 'security_alert',
    priority: 'high',
    recipients: [ADMINS],
    actor: (data) => data.created_by,
    title: (data) => `API key created: ${excerpt(data.name, 100)}`,
    body: (data) =>
      `A new API key "${excerpt(data.name, 100)}"${data.prefix ? ` (${data.prefix}…)` : ''}${
        data.role ? ` with the ${data.role} role` : ''
      } was created. If you did not expect it, revoke it now.`,
    actionUrl: () => '/settings/api-keys',
    groupKey: (data) => `api_key:${data.api_key_id}`,
  }),
  defineRule({
    name: 'api_key.revoked → owners and admins',
    event: 'api_key.revoked',
    data: KeyRevoked,
    type: 'security_alert',
    priority: 'medium',
    recipients: [ADMINS],
    actor: (data) => data.revoked_by,
    title: (data) => `API key revoked: ${excerpt(data.name ?? data.api_key_id, 100)}`,
    body: (data) =>
      `The API key "${excerpt(data.name ?? data.api_key_id, 100)}" was revoked; requests with it are refused from now on.`,
    actionUrl: () => '/settings/api-keys',
    groupKey: (data) => `api_key:${data.api_key_id}`,
  }),
];
