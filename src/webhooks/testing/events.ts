/** Emits events through the real outbox for webhook tests, as producers do. */
import { emitEvent } from '../../events/outbox.ts';
import type { TestServer } from '../../testing/server.ts';

/** Emits one event in its own transaction and wakes the worker; returns the event id. */
export async function emit(server: TestServer, customerId: string, type: string, data: unknown): Promise<string> {
  const record = await server.ctx.database.db
    .transaction()
    .execute((trx) => emitEvent(trx, { type, customerId, data }, server.ctx.clock()));
  server.ctx.wakeWorkers();
  return record.id;
}
