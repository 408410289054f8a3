/**
 * The bytes of a webhook message, built once at fan-out and sent unchanged on every attempt:
 * `{"id","type","timestamp","customer_id","data"}`. Internal notes never leave the service: the
 * data is passed through a customer-view filter as a second line of defence behind the emitters.
 */
import type { EventRecord } from '../events/outbox.ts';

/** Keys that describe staff-only content and are removed wherever they appear. */
const INTERNAL_KEYS = new Set(['internal_comment_count', 'internal_notes', 'internal']);

/** True when an item is an internal note (comment or history entry with internal visibility). */
function isInternal(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { visibility?: unknown }).visibility === 'internal';
}

/** A deep copy of `data` without internal notes or staff-only fields. */
export function customerView(data: unknown): unknown {
  if (Array.isArray(data)) return data.filter((item) => !isInternal(item)).map(customerView);
  if (typeof data !== 'object' || data === null) return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (INTERNAL_KEYS.has(key) || isInternal(value)) continue;
    out[key] = customerView(value);
  }
  return out;
}

/** False for events that must never reach a webhook (an internal note's own event). */
export function isDeliverable(event: Pick<EventRecord, 'type' | 'data' | 'customerId'>): boolean {
  if (!event.customerId) return false;
  const data = event.data as { comment?: unknown } | null;
  return !(data && isInternal(data.comment));
}

/** The exact body of a message. */
export function messageBody(event: Pick<EventRecord, 'id' | 'type' | 'createdAt' | 'customerId' | 'data'>): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.createdAt,
    customer_id: event.customerId,
    data: customerView(event.data),
  });
}
