import type { EndpointId, MessageId } from '../ids.ts';
import { AppError, notFound } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { enqueueJobs } from '../../jobs/enqueue.ts';
import { deliveryJob } from '../delivery-job.ts';
import type { Message } from '../repository.ts';
import { endpointOf, tenantScope } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

const RECOVER_LIMIT = 10_000;

/** Sends a failed or delivered message again, once; a pending one is already scheduled. */
export function retryDelivery(deps: WebhookUseCaseDeps) {
  return async function retry(auth: AuthContext, id: EndpointId, deliveryId: MessageId): Promise<Message> {
    const scope = tenantScope(auth);
    const message = await deps.db.transaction().execute(async (trx) => {
      const messages = deps.messages(trx, scope);
      const found = await messages.find(id, deliveryId);
      if (!found) throw notFound('Delivery');
      if (found.status === 'pending')
        throw new AppError('conflict', 'This delivery is already scheduled', {
          extra: { next_attempt_at: found.next_attempt_at },
        });
      const now = deps.clock();
      await messages.markPending([found.id], now.toISOString());
      await enqueueJobs(trx, [deliveryJob(found.id, Number(found.attempts) + 1, 'manual')], now);
      return (await messages.find(id, deliveryId)) as Message;
    });
    deps.wakeWorkers();
    return message;
  };
}

/** Queues every failed delivery created since `since` again (at most 10,000 per call). */
export function recoverDeliveries(deps: WebhookUseCaseDeps) {
  return async function recover(auth: AuthContext, id: EndpointId, since: string): Promise<number> {
    const scope = tenantScope(auth);
    const sinceIso = new Date(since).toISOString();
    const count = await deps.db.transaction().execute(async (trx) => {
      await endpointOf(deps, scope, id, trx);
      const messages = deps.messages(trx, scope);
      const failed = await messages.failedSince(id, sinceIso, RECOVER_LIMIT);
      const now = deps.clock();
      await messages.markPending(
        failed.map((m) => m.id),
        now.toISOString(),
      );
      await enqueueJobs(
        trx,
        failed.map((m) => deliveryJob(m.id, Number(m.attempts) + 1, 'recover')),
        now,
      );
      return failed.length;
    });
    if (count > 0) deps.wakeWorkers();
    return count;
  };
}
