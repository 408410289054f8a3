import type { EndpointId, MessageId } from '../ids.ts';
import type { Static } from 'typebox';
import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { notFound } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { NEWEST_MESSAGES } from '../repository.ts';
import type { Attempt, Message, MessageSummary } from '../repository.ts';
import type { DeliveryListQuery } from '../schemas.ts';
import { endpointOf } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** One page of an endpoint's deliveries, newest first, filtered in the query. */
export function listDeliveries(deps: WebhookUseCaseDeps) {
  return async function list(
    auth: AuthContext,
    id: EndpointId,
    query: Static<typeof DeliveryListQuery>,
  ): Promise<Page<MessageSummary>> {
    const scope = scopeOf(auth);
    await endpointOf(deps, scope, id);
    const rows = await deps
      .messages(deps.db, scope)
      .list(id, { status: query.status, eventType: query.event_type }, query);
    return toPage(rows, NEWEST_MESSAGES, query.limit, (r) => ({ value: r.created_at, id: r.id }));
  };
}

/** A delivery with every attempt. */
export function getDelivery(deps: WebhookUseCaseDeps) {
  return async function get(
    auth: AuthContext,
    id: EndpointId,
    deliveryId: MessageId,
  ): Promise<{ message: Message; attempts: Attempt[] }> {
    const messages = deps.messages(deps.db, scopeOf(auth));
    const message = await messages.find(id, deliveryId);
    if (!message) throw notFound('Delivery');
    return { message, attempts: await messages.attemptsOf(deliveryId) };
  };
}
