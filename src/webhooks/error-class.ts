/**
 * The vocabulary of failed delivery attempts, shared by the transport (which classifies), the
 * retry schedule (which decides) and the delivery log (which stores and filters by it).
 */

/** Why an attempt failed; stable strings stored in the delivery log and shown to tenants. */
export type DeliveryErrorClass = 'timeout' | 'dns' | 'connect' | 'tls' | 'http_status' | 'blocked';

/** Every error class, for schemas and exhaustive tests. */
export const DELIVERY_ERROR_CLASSES: readonly DeliveryErrorClass[] = Object.freeze([
  'timeout',
  'dns',
  'connect',
  'tls',
  'http_status',
  'blocked',
]);
