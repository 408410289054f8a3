import { emitEvent } from '../../events/outbox.ts';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { catalogEntry, validateEventData } from '../catalog.ts';
import { customerExists } from '../repository.ts';
import type { PublishEventBody } from '../schemas.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/** Publishes an external event (invoices, compliance, usage, API keys) through the outbox. */
export function publishEvent(deps: WebhookUseCaseDeps) {
  return async function publish(
    body: PublishEventBody,
  ): Promise<{ id: string; type: string; customer_id: string; created_at: string }> {
    const info = catalogEntry(body.type);
    if (!info || !info.external)
      throw invalidField('type', 'must be an external catalog type: invoice.*, compliance.*, usage.* or api_key.*');
    const problems = validateEventData(body.type, body.data);
    if (problems.length > 0)
      throw new AppError('validation_failed', `data does not match the ${body.type} schema`, {
        errors: problems.map((message) => ({ field: 'data', message })),
      });
    const record = await deps.db.transaction().execute(async (trx) => {
      if (!(await customerExists(trx, body.customer_id))) throw invalidField('customer_id', 'is not a tenant');
      return emitEvent(trx, { type: body.type, customerId: body.customer_id, data: body.data }, deps.clock());
    });
    deps.wakeWorkers();
    return { id: record.id, type: record.type, customer_id: body.customer_id, created_at: record.createdAt };
  };
}
