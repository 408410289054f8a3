// The webhook API's shapes, taken from the generated OpenAPI types so they follow the server.
import type { operations } from '../../api/client.ts';

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

export type Endpoint = Json<operations['getWebhooksById']['responses'][200]>;
export type EventType = Json<operations['getWebhooksEventTypes']['responses'][200]>['event_types'][number];
export type Delivery = Json<operations['getWebhooksByIdDeliveries']['responses'][200]>['deliveries'][number];
export type DeliveryDetail = Json<operations['getWebhooksByIdDeliveriesByDeliveryId']['responses'][200]>;
export type Attempt = DeliveryDetail['attempt_log'][number];
export type Stats = Json<operations['getWebhooksByIdStats']['responses'][200]>;
export type TestResult = Json<operations['postWebhooksByIdTest']['responses'][200]>;
export type DeliveryStatus = Delivery['status'];
