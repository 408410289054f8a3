import { AppError } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { newEndpointId } from '../ids.ts';
import type { Endpoint } from '../repository.ts';
import type { CreateWebhookBody } from '../schemas.ts';
import { newSealedSecret, sealHeaders } from '../secrets.ts';
import { checkEvents, checkHeaders, checkSchedule, checkUrl } from '../validation.ts';
import { endpointOf, tenantScope } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** Creates an endpoint within the per-tenant cap; returns it with its secret (the only time it is shown). */
export function createEndpoint(deps: WebhookUseCaseDeps) {
  return async function create(
    auth: AuthContext,
    body: CreateWebhookBody,
  ): Promise<{ endpoint: Endpoint; secret: string }> {
    const scope = tenantScope(auth);
    const url = await checkUrl(body.url, deps.policy, deps.resolve);
    const events = checkEvents(body.events);
    const headers = checkHeaders(body.headers ?? {});
    const schedule = body.retry_schedule_seconds ? checkSchedule(body.retry_schedule_seconds) : null;
    return deps.db.transaction().execute(async (trx) => {
      const repo = deps.endpoints(trx, scope);
      const count = await repo.count();
      if (count >= deps.maxEndpointsPerTenant) {
        throw new AppError(
          'unprocessable',
          `A tenant can have at most ${deps.maxEndpointsPerTenant} webhook endpoints`,
          { extra: { limit: deps.maxEndpointsPerTenant } },
        );
      }
      const now = deps.clock();
      const iso = now.toISOString();
      const id = newEndpointId(now);
      const { secret, stored } = newSealedSecret(deps.keyRing, id, now);
      await repo.insert({
        id,
        customer_id: scope.customerId,
        url,
        description: body.description ?? '',
        events: JSON.stringify(events),
        status: body.active === false ? 'disabled_by_user' : 'enabled',
        custom_headers: sealHeaders(deps.keyRing, id, headers),
        rate_limit_per_second: body.rate_limit_per_second ?? null,
        retry_schedule: schedule ? JSON.stringify(schedule) : null,
        secrets: JSON.stringify([stored]),
        created_at: iso,
        updated_at: iso,
        last_delivery_at: null,
        delivery_success_count: 0,
        delivery_failure_count: 0,
        consecutive_failures: 0,
        failing_since: null,
        circuit_open_until: null,
        rate_tat: null,
        disabled_at: body.active === false ? iso : null,
        disabled_reason: body.active === false ? 'disabled by user' : null,
      });
      return { endpoint: await endpointOf(deps, scope, id, trx), secret };
    });
  };
}
