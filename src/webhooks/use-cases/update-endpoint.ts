import type { EndpointId } from '../ids.ts';
import type { Updateable } from 'kysely';
import { notFound } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { Endpoint } from '../repository.ts';
import type { UpdateWebhookBody } from '../schemas.ts';
import { sealHeaders } from '../secrets.ts';
import type { WebhookEndpointsTable } from '../tables.ts';
import { checkEvents, checkHeaders, checkSchedule, checkUrl } from '../validation.ts';
import { endpointOf, tenantScope } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** Partial update; `active: true` re-enables (and clears the failure state), `false` disables. */
export function updateEndpoint(deps: WebhookUseCaseDeps) {
  return async function update(auth: AuthContext, id: EndpointId, body: UpdateWebhookBody): Promise<Endpoint> {
    const scope = tenantScope(auth);
    const current = await endpointOf(deps, scope, id);
    const now = deps.clock().toISOString();
    const patch: Updateable<WebhookEndpointsTable> = { updated_at: now };
    if (body.url !== undefined) patch.url = await checkUrl(body.url, deps.policy, deps.resolve);
    if (body.events !== undefined) patch.events = JSON.stringify(checkEvents(body.events));
    if (body.description !== undefined) patch.description = body.description;
    if (body.headers !== undefined)
      patch.custom_headers = sealHeaders(deps.keyRing, id, checkHeaders(body.headers), current.custom_headers);
    if (body.rate_limit_per_second !== undefined) patch.rate_limit_per_second = body.rate_limit_per_second;
    if (body.retry_schedule_seconds !== undefined)
      patch.retry_schedule =
        body.retry_schedule_seconds === null ? null : JSON.stringify(checkSchedule(body.retry_schedule_seconds));
    if (body.active === true)
      Object.assign(patch, {
        status: 'enabled',
        disabled_at: null,
        disabled_reason: null,
        consecutive_failures: 0,
        failing_since: null,
        circuit_open_until: null,
      });
    if (body.active === false)
      Object.assign(patch, { status: 'disabled_by_user', disabled_at: now, disabled_reason: 'disabled by user' });
    const updated = await deps.endpoints(deps.db, scope).update(id, patch);
    if (!updated) throw notFound('Webhook');
    return updated;
  };
}
