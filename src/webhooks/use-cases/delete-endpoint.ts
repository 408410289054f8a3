import type { EndpointId } from '../ids.ts';
import { notFound } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { tenantScope } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** Deletes the endpoint and its delivery log. */
export function deleteEndpoint(deps: WebhookUseCaseDeps) {
  return async function remove(auth: AuthContext, id: EndpointId): Promise<void> {
    const scope = tenantScope(auth);
    const deleted = await deps.db.transaction().execute((trx) => deps.endpoints(trx, scope).delete(id));
    if (!deleted) throw notFound('Webhook');
  };
}
