import { AsyncLocalStorage } from 'node:async_hooks';

/** Whether a transaction callback is still running (a timer it scheduled may fire after it ended). */
interface OpenTransaction {
  open: boolean;
}

const currentTransaction = new AsyncLocalStorage<OpenTransaction>();

/** Thrown when slow non-database work is started inside a database transaction. */
export class WorkInsideTransactionError extends Error {
  override name = 'WorkInsideTransactionError';
}

/**
 * Runs a transaction callback marked as inside a transaction until it settles. The database
 * handle wraps every `transaction().execute` callback with it (connection.ts), on both dialects.
 */
export async function insideTransaction<T>(callback: () => Promise<T>): Promise<T> {
  const transaction: OpenTransaction = { open: true };
  try {
    return await currentTransaction.run(transaction, callback);
  } finally {
    transaction.open = false;
  }
}

/** True while the calling code runs inside a `transaction().execute` callback. */
export function isInsideTransaction(): boolean {
  return currentTransaction.getStore()?.open === true;
}

/**
 * Refuses slow non-database work (password hashing, HTTP calls, DNS lookups) inside a database
 * transaction. On SQLite every transaction shares one physical commit with the transactions
 * queued behind it (group commit), so one transaction awaiting 100 ms of scrypt delays every
 * group mate's acknowledgement by 100 ms; on PostgreSQL it holds row locks and a pooled
 * connection meanwhile. Call it first thing in such work: `assertOutsideTransaction('password hashing')`.
 */
export function assertOutsideTransaction(what: string): void {
  if (!isInsideTransaction()) return;
  throw new WorkInsideTransactionError(
    `${what} must not run inside a database transaction: only database work may be awaited there ` +
      '(do it before the transaction starts, or after it commits)',
  );
}
