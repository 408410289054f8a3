/**
 * The webhook API of webhooks.md (plus query-string aliases): endpoints, secret rotation, the event
 * catalog and ingest, deliveries, retry, recovery, test send and stats. Thin: schema →
 * permission → one service call → view.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../runtime/context.ts';
import { invalidField } from '../errors/app-error.ts';
import { listEnvelope } from '../http/pagination.ts';
import { authOf } from '../identity/authenticate.ts';
import { EVENT_CATALOG } from './catalog.ts';
import { policyFromConfig } from './policy.ts';
import { presentDelivery, presentDeliveryDetail, presentWebhook } from './presenter.ts';
import {
  AliasDeliveryListQuery,
  CreatedWebhook,
  CreateWebhookBody,
  DeliveryDetail,
  DeliveryListQuery,
  DeliveryPage,
  DeliveryParams,
  DeliveryView,
  EventTypeList,
  PageOnlyQuery,
  PublishedEvent,
  PublishEventBody,
  RecoverBody,
  RecoverResult,
  RotateBody,
  RotatedSecret,
  StatsView,
  TestResult,
  UpdateWebhookBody,
  WebhookIdQuery,
  WebhookPage,
  WebhookParams,
  WebhookView,
} from './schemas.ts';
import type { EndpointId, MessageId } from './ids.ts';
import { endpointRepository, messageRepository } from './repository.ts';
import { createWebhookService } from './service.ts';
import type { Resolve } from './validation.ts';

const TAGS = ['webhooks'];

/** The endpoint id of the query-string aliases: `webhook_id`, or its deprecated spelling `webhookId`. */
function endpointIdOf(query: { webhook_id?: string | undefined; webhookId?: string | undefined }): EndpointId {
  const id = query.webhook_id ?? query.webhookId;
  if (id === undefined) throw invalidField('webhook_id', 'is required');
  if (query.webhookId !== undefined && query.webhookId !== id)
    throw invalidField('webhookId', 'differs from webhook_id (its deprecated alias)');
  return id as EndpointId;
}

/** The endpoint id of `{id}`, branded once the params schema has checked it. */
const endpointIdIn = (params: { id: string }): EndpointId => params.id as EndpointId;
/** The delivery (message) id of `{delivery_id}`. */
const deliveryIdIn = (params: { delivery_id: string }): MessageId => params.delivery_id as MessageId;

/** Registers the webhook routes; `options.resolve` replaces DNS at registration (tests). */
export function webhookRoutes(ctx: AppContext, options: { resolve?: Resolve } = {}): FastifyPluginAsyncTypebox {
  const { webhooks } = ctx.config;
  const service = createWebhookService({
    db: ctx.database.db,
    endpoints: endpointRepository,
    messages: messageRepository,
    clock: ctx.clock,
    keyRing: ctx.keyRing,
    policy: policyFromConfig(webhooks),
    maxEndpointsPerTenant: webhooks.maxEndpointsPerTenant,
    attemptTimeoutMs: webhooks.attemptTimeoutMs,
    connectTimeoutMs: webhooks.connectTimeoutMs,
    wakeWorkers: () => ctx.wakeWorkers(),
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const view = (endpoint: Parameters<typeof presentWebhook>[0]) => presentWebhook(endpoint, ctx.clock());

  return async (app) => {
    app.addHook('onClose', async () => service.close());

    app.get(
      '/webhooks/event-types',
      {
        schema: {
          tags: TAGS,
          summary: 'The event catalog: every type with description, JSON Schema of data and an example',
          response: { 200: EventTypeList },
        },
        config: { permission: 'webhooks:read' },
      },
      async () => ({
        event_types: EVENT_CATALOG.map((e) => ({
          type: e.type,
          description: e.description,
          schema: e.schema,
          example: {
            id: 'evt_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b',
            type: e.type,
            timestamp: '2026-11-25T09:30:00.000Z',
            customer_id: '0193a5f2-0000-7000-8000-000000000001',
            data: e.example,
          },
        })),
      }),
    );

    app.post(
      '/events',
      {
        schema: {
          tags: TAGS,
          summary: 'Publish an external event (invoices, compliance, usage, API keys); platform admins only',
          body: PublishEventBody,
          response: { 202: PublishedEvent },
        },
        config: { permission: 'events:publish' },
      },
      async (request, reply) => reply.code(202).send(await service.publish(request.body)),
    );

    app.post(
      '/webhooks',
      {
        schema: {
          tags: TAGS,
          summary: 'Register an endpoint; the signing secret is returned this once',
          body: CreateWebhookBody,
          response: { 201: CreatedWebhook },
        },
        config: { permission: 'webhooks:manage' },
      },
      async (request, reply) => {
        const { endpoint, secret } = await service.create(authOf(request), request.body);
        return reply.code(201).send({ webhook: view(endpoint), secret });
      },
    );

    app.get(
      '/webhooks',
      {
        schema: {
          tags: TAGS,
          summary: 'List endpoints, newest first',
          querystring: PageOnlyQuery,
          response: { 200: WebhookPage },
        },
        config: { permission: 'webhooks:read' },
      },
      async (request) => {
        const page = await service.list(authOf(request), request.query);
        return listEnvelope('webhooks', page, view);
      },
    );

    app.get(
      '/webhooks/deliveries',
      {
        schema: {
          tags: TAGS,
          summary: 'Alias of GET /webhooks/{id}/deliveries with the id as `webhook_id`',
          querystring: AliasDeliveryListQuery,
          response: { 200: DeliveryPage },
        },
        config: { permission: 'webhooks:read' },
      },
      async (request) => {
        const { webhook_id: _id, webhookId: _deprecated, ...query } = request.query;
        const page = await service.listDeliveries(authOf(request), endpointIdOf(request.query), query);
        return listEnvelope('deliveries', page, presentDelivery);
      },
    );

    app.post(
      '/webhooks/test',
      {
        schema: {
          tags: TAGS,
          summary: 'Alias of POST /webhooks/{id}/test with the id as `webhook_id`',
          querystring: WebhookIdQuery,
          response: { 200: TestResult },
        },
        config: { permission: 'webhooks:manage' },
      },
      async (request) => service.test(authOf(request), endpointIdOf(request.query)),
    );

    app.get(
      '/webhooks/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Get an endpoint (never its secret)',
          params: WebhookParams,
          response: { 200: WebhookView },
        },
        config: { permission: 'webhooks:read' },
      },
      async (request) => view(await service.get(authOf(request), endpointIdIn(request.params))),
    );

    for (const method of ['patch', 'put'] as const) {
      app[method](
        '/webhooks/:id',
        {
          schema: {
            tags: TAGS,
            summary:
              method === 'patch'
                ? 'Change an endpoint (url, events, active, headers, rate limit, schedule)'
                : 'Same as PATCH',
            params: WebhookParams,
            body: UpdateWebhookBody,
            response: { 200: WebhookView },
          },
          config: { permission: 'webhooks:manage' },
        },
        async (request) => view(await service.update(authOf(request), endpointIdIn(request.params), request.body)),
      );
    }

    app.delete(
      '/webhooks/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Delete an endpoint and its delivery log',
          params: WebhookParams,
          response: { 204: Type.Null({ description: 'Deleted' }) },
        },
        config: { permission: 'webhooks:manage' },
      },
      async (request, reply) => {
        await service.remove(authOf(request), endpointIdIn(request.params));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/webhooks/:id/rotate-secret',
      {
        schema: {
          tags: TAGS,
          summary: 'Rotate the signing secret; previous secrets keep signing for the grace period',
          params: WebhookParams,
          body: RotateBody,
          response: { 200: RotatedSecret },
        },
        config: { permission: 'webhooks:manage' },
      },
      async (request) => {
        const { secret, expiresAt } = await service.rotateSecret(
          authOf(request),
          endpointIdIn(request.params),
          request.body?.grace_period_seconds,
        );
        return { webhook_id: request.params.id, secret, previous_secrets_expire_at: expiresAt };
      },
    );

    app.post(
      '/webhooks/:id/test',
      {
        schema: {
          tags: TAGS,
          summary: 'Send a signed webhook.test event now and report the answer',
          params: WebhookParams,
          response: { 200: TestResult },
        },
        config: { permission: 'webhooks:manage' },
      },
      async (request) => service.test(authOf(request), endpointIdIn(request.params)),
    );

    app.get(
      '/webhooks/:id/deliveries',
      {
        schema: {
          tags: TAGS,
          summary: 'List deliveries, newest first (filters: status, event_type)',
          params: WebhookParams,
          querystring: DeliveryListQuery,
          response: { 200: DeliveryPage },
        },
        config: { permission: 'webhooks:read' },
      },
      async (request) => {
        const page = await service.listDeliveries(authOf(request), endpointIdIn(request.params), request.query);
        return listEnvelope('deliveries', page, presentDelivery);
      },
    );

    app.get(
      '/webhooks/:id/deliveries/:delivery_id',
      {
        schema: {
          tags: TAGS,
          summary: 'A delivery with its payload and every attempt',
          params: DeliveryParams,
          response: { 200: DeliveryDetail },
        },
        config: { permission: 'webhooks:read' },
      },
      async (request) => {
        const { message, attempts } = await service.getDelivery(
          authOf(request),
          endpointIdIn(request.params),
          deliveryIdIn(request.params),
        );
        return presentDeliveryDetail(message, attempts);
      },
    );

    app.post(
      '/webhooks/:id/deliveries/:delivery_id/retry',
      {
        schema: {
          tags: TAGS,
          summary: 'Send a failed or delivered delivery again',
          params: DeliveryParams,
          response: { 202: DeliveryView },
        },
        config: { permission: 'webhooks:manage' },
      },
      async (request, reply) =>
        reply
          .code(202)
          .send(
            presentDelivery(
              await service.retry(authOf(request), endpointIdIn(request.params), deliveryIdIn(request.params)),
            ),
          ),
    );

    app.post(
      '/webhooks/:id/recover',
      {
        schema: {
          tags: TAGS,
          summary: 'Re-send every failed delivery created since a time',
          params: WebhookParams,
          body: RecoverBody,
          response: { 202: RecoverResult },
        },
        config: { permission: 'webhooks:manage' },
      },
      async (request, reply) =>
        reply.code(202).send({
          recovered: await service.recover(authOf(request), endpointIdIn(request.params), request.body.since),
        }),
    );

    app.get(
      '/webhooks/:id/stats',
      {
        schema: {
          tags: TAGS,
          summary: 'Success rate, attempts and latency percentiles over 24 h and 7 days',
          params: WebhookParams,
          response: { 200: StatsView },
        },
        config: { permission: 'webhooks:read' },
      },
      async (request) => ({
        webhook_id: request.params.id,
        ...(await service.stats(authOf(request), endpointIdIn(request.params))),
      }),
    );
  };
}
