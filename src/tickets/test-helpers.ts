import type { TestServer } from '../testing/server.ts';
import { request } from '../testing/http.ts';
import type { ApiResponse } from '../testing/http.ts';

/** A ticket as tests read it from the API. */
export type TicketJson = Record<string, unknown> & {
  id: string;
  number: number;
  reference: string;
  status: string;
  version: number;
  comment_count: number;
};

/** A valid create body; override what a test cares about. */
export function ticketBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: 'Cannot log in with SSO',
    description: 'Since this morning every SSO login fails with error 500.',
    ...overrides,
  };
}

/** Opens a ticket over HTTP and fails loudly when that does not give 201. */
export async function openTicket(
  server: TestServer,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<TicketJson> {
  const response = await request<TicketJson>(server.baseUrl, 'POST', '/v1/support/tickets', {
    token,
    body: ticketBody(overrides),
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return response.body;
}

/** Shorthand for a request against the test server. */
export function api<T = Record<string, unknown>>(
  server: TestServer,
  method: string,
  path: string,
  options: Parameters<typeof request>[3] = {},
): Promise<ApiResponse<T>> {
  return request<T>(server.baseUrl, method, path, options);
}

/** The `ticket.*` events stored for a tenant, by time (ties within a millisecond in no set order), data parsed. */
export async function ticketEvents(
  server: TestServer,
  customerId: string,
): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const rows = await server.database.db
    .selectFrom('events')
    .select(['type', 'data', 'id'])
    .where('customer_id', '=', customerId)
    .where('type', 'like', 'ticket.%')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ type: row.type, data: JSON.parse(row.data) as Record<string, unknown> }));
}
