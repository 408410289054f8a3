// Query keys and fetchers of the webhook pages (one place, so mutations invalidate the right ones).
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client.ts';
import type { DeliveryStatus } from './types.ts';

export const webhookKeys = {
  all: ['webhooks'] as const,
  lists: ['webhooks', 'list'] as const,
  list: (cursor: string | undefined) => ['webhooks', 'list', cursor ?? null] as const,
  catalog: ['webhooks', 'event-types'] as const,
  endpoint: (id: string) => ['webhooks', 'endpoint', id] as const,
  stats: (id: string) => ['webhooks', 'endpoint', id, 'stats'] as const,
  deliveries: (id: string) => ['webhooks', 'endpoint', id, 'deliveries'] as const,
  deliveryPage: (id: string, filters: DeliveryFilters, cursor: string | undefined) =>
    ['webhooks', 'endpoint', id, 'deliveries', filters, cursor ?? null] as const,
  delivery: (id: string, deliveryId: string) => ['webhooks', 'endpoint', id, 'delivery', deliveryId] as const,
};

export interface DeliveryFilters {
  status: DeliveryStatus | '';
  eventType: string;
}

/** The catalog changes only with a server release. */
export function useEventCatalog() {
  return useQuery({
    queryKey: webhookKeys.catalog,
    queryFn: async () => data(await api.GET('/v1/webhooks/event-types')).event_types,
    staleTime: Infinity,
  });
}

export function useEndpointStats(id: string) {
  return useQuery({
    queryKey: webhookKeys.stats(id),
    queryFn: async () => data(await api.GET('/v1/webhooks/{id}/stats', { params: { path: { id } } })),
  });
}
