import { createEndpoint } from './use-cases/create-endpoint.ts';
import { deleteEndpoint } from './use-cases/delete-endpoint.ts';
import type { WebhookUseCaseDeps } from './use-cases/deps.ts';
import { endpointStats } from './use-cases/endpoint-stats.ts';
import { getDelivery, listDeliveries } from './use-cases/list-deliveries.ts';
import { getEndpoint, listEndpoints } from './use-cases/list-endpoints.ts';
import { publishEvent } from './use-cases/publish-event.ts';
import { recoverDeliveries, retryDelivery } from './use-cases/retry-deliveries.ts';
import { rotateSecret } from './use-cases/rotate-secret.ts';
import { sendTestEvent } from './use-cases/send-test.ts';
import { updateEndpoint } from './use-cases/update-endpoint.ts';

/**
 * The webhook use cases behind the routes, one module per use case under `use-cases/`: endpoint
 * CRUD with the per-tenant cap, secrets shown once and rotated with a grace period, delivery logs,
 * manual retry, recovery, the synchronous test send, stats and the internal event ingest. Each
 * throws AppError and knows no HTTP; this only assembles them over shared dependencies.
 */
export function createWebhookService(deps: WebhookUseCaseDeps) {
  const testSend = sendTestEvent(deps);
  return {
    create: createEndpoint(deps),
    list: listEndpoints(deps),
    get: getEndpoint(deps),
    update: updateEndpoint(deps),
    remove: deleteEndpoint(deps),
    rotateSecret: rotateSecret(deps),
    listDeliveries: listDeliveries(deps),
    getDelivery: getDelivery(deps),
    retry: retryDelivery(deps),
    recover: recoverDeliveries(deps),
    test: testSend.test,
    stats: endpointStats(deps),
    publish: publishEvent(deps),
    /** Closes the test-send transport (shutdown). */
    close: testSend.close,
  };
}

/** The service's type. */
export type WebhookService = ReturnType<typeof createWebhookService>;
