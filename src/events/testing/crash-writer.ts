// A process for the outbox crash test: inside one transaction it inserts a customer and emits an
// event, announces "WRITTEN" on stdout, and then blocks before commit until it is killed.
import { openDatabase } from '../../database/connection.ts';
import { emitEvent } from '../outbox.ts';

const customerId = process.env.CUSTOMER_ID ?? 'cus_crash';
const handle = openDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.SECUREBASE_DATA_DIR ?? './data',
  ...(process.env.SECUREBASE_DB_SCHEMA ? { schema: process.env.SECUREBASE_DB_SCHEMA } : {}),
});
setInterval(() => {}, 1_000); // keep the process alive while the transaction hangs
await handle.db.transaction().execute(async (trx) => {
  const now = new Date();
  await trx
    .insertInto('customers')
    .values({
      id: customerId,
      name: 'Crash Co',
      tier: 'standard',
      status: 'active',
      last_ticket_number: 1000,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
  const event = await emitEvent(trx, { type: 'customer.created', customerId, data: { customerId } }, now);
  process.stdout.write(`WRITTEN ${event.id}\n`);
  await new Promise(() => {});
});
