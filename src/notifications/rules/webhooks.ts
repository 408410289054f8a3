/** Webhook rules: a tenant's owners and admins hear when one of their endpoints is disabled. */
import { Type } from 'typebox';
import { defineRule, excerpt } from './engine.ts';
import type { NotificationRule } from './engine.ts';

const EndpointDisabled = Type.Object({
  webhook_id: Type.String(),
  url: Type.String(),
  reason: Type.String(),
});

export const webhookRules: readonly NotificationRule[] = [
  defineRule({
    name: 'webhook.endpoint_disabled → owners and admins',
    event: 'webhook.endpoint_disabled',
    data: EndpointDisabled,
    type: 'system',
    priority: 'high',
    recipients: [{ kind: 'tenant_roles', roles: ['owner', 'admin'] }],
    title: (data) => `Webhook endpoint disabled: ${excerpt(data.url, 120)}`,
    body: (data) =>
      `Deliveries to ${excerpt(data.url, 200)} have stopped: ${
        data.reason === 'disabled_gone' ? 'the receiver answered 410 Gone' : 'every attempt failed for days'
      }. Fix the receiver, then enable the endpoint again; events since can be recovered.`,
    actionUrl: (data) => `/webhooks/${data.webhook_id}`,
    groupKey: (data) => `webhook:${data.webhook_id}`,
  }),
];
