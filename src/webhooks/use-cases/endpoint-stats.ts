import type { EndpointId } from '../ids.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { windowStats } from '../stats.ts';
import type { WindowStats } from '../stats.ts';
import { endpointOf } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** Success rate and latency percentiles over 24 h and 7 days. */
export function endpointStats(deps: WebhookUseCaseDeps) {
  return async function stats(
    auth: AuthContext,
    id: EndpointId,
  ): Promise<{ last_24h: WindowStats; last_7d: WindowStats }> {
    const scope = scopeOf(auth);
    await endpointOf(deps, scope, id);
    const now = deps.clock().getTime();
    const day = new Date(now - 86_400_000).toISOString();
    const week = await deps.messages(deps.db, scope).attemptSample(id, new Date(now - 7 * 86_400_000).toISOString());
    return { last_24h: windowStats(week.filter((a) => a.created_at >= day)), last_7d: windowStats(week) };
  };
}
