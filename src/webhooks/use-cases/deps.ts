import type { EndpointId } from '../ids.ts';
import type { Kysely } from 'kysely';
import type { KeyRing } from '../../crypto/key-ring.ts';
import type { Database } from '../../database/schema.ts';
import type { Executor } from '../../jobs/types.ts';
import { AppError, notFound } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext, TenantScope } from '../../identity/auth-context.ts';
import type { WebhookNetworkPolicy } from '../policy.ts';
import type { Endpoint, EndpointRepositoryFactory, MessageRepositoryFactory } from '../repository.ts';
import type { Resolve } from '../validation.ts';

/** What every webhook use case is built from; injected, so each can be assembled with other parts. */
export interface WebhookUseCaseDeps {
  /** Only to open transactions and to hand to the repositories; use cases run no SQL themselves. */
  db: Kysely<Database>;
  /** Tenant-bound endpoint queries over the handle or a transaction. */
  endpoints: EndpointRepositoryFactory;
  /** Tenant-bound message and attempt queries over the handle or a transaction. */
  messages: MessageRepositoryFactory;
  clock: () => Date;
  keyRing: KeyRing;
  policy: WebhookNetworkPolicy;
  maxEndpointsPerTenant: number;
  attemptTimeoutMs: number;
  connectTimeoutMs: number;
  /** Called after a commit that queued jobs or wrote events, so an in-process worker runs them at once. */
  wakeWorkers: () => void;
  /** Replaces DNS at registration (tests). */
  resolve?: Resolve;
}

/** The caller's tenant; webhooks are managed by the tenant, never across tenants. */
export function tenantScope(auth: AuthContext): TenantScope & { customerId: string } {
  const scope = scopeOf(auth);
  if (scope.kind !== 'tenant') throw new AppError('forbidden', 'Webhooks are managed by the tenant');
  return scope;
}

/** The endpoint `id` within the scope; 404 when there is none (or another tenant's). */
export async function endpointOf(
  deps: WebhookUseCaseDeps,
  scope: TenantScope,
  id: EndpointId,
  executor: Executor = deps.db,
): Promise<Endpoint> {
  const endpoint = await deps.endpoints(executor, scope).find(id);
  if (!endpoint) throw notFound('Webhook');
  return endpoint;
}
