import type { EndpointId } from '../ids.ts';
import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { NEWEST_ENDPOINTS } from '../repository.ts';
import type { Endpoint } from '../repository.ts';
import { endpointOf } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** One page of the tenant's endpoints, newest first. */
export function listEndpoints(deps: WebhookUseCaseDeps) {
  return async function list(
    auth: AuthContext,
    page: { limit?: number | undefined; cursor?: string | undefined },
  ): Promise<Page<Endpoint>> {
    const rows = await deps.endpoints(deps.db, scopeOf(auth)).list(page);
    return toPage(rows, NEWEST_ENDPOINTS, page.limit, (r) => ({ value: r.created_at, id: r.id }));
  };
}

/** One endpoint of the caller's scope. */
export function getEndpoint(deps: WebhookUseCaseDeps) {
  return async function get(auth: AuthContext, id: EndpointId): Promise<Endpoint> {
    return endpointOf(deps, scopeOf(auth), id);
  };
}
