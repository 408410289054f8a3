import type { EndpointId } from '../ids.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { DEFAULT_GRACE_SECONDS, newSealedSecret, parseSecrets, rotateSecrets } from '../secrets.ts';
import { endpointOf, tenantScope } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** New secret now; the previous ones keep signing for the grace period. */
export function rotateSecret(deps: WebhookUseCaseDeps) {
  return async function rotate(
    auth: AuthContext,
    id: EndpointId,
    graceSeconds = DEFAULT_GRACE_SECONDS,
  ): Promise<{ secret: string; expiresAt: string }> {
    const scope = tenantScope(auth);
    return deps.db.transaction().execute(async (trx) => {
      const endpoint = await endpointOf(deps, scope, id, trx);
      const now = deps.clock();
      const { secret, stored } = newSealedSecret(deps.keyRing, id, now);
      const secrets = rotateSecrets(parseSecrets(endpoint.secrets), stored, graceSeconds, now);
      await deps.endpoints(trx, scope).update(id, {
        secrets: JSON.stringify(secrets),
        updated_at: now.toISOString(),
      });
      return { secret, expiresAt: new Date(now.getTime() + graceSeconds * 1000).toISOString() };
    });
  };
}
