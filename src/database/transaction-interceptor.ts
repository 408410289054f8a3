import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';

type Work<DB, T> = (trx: Transaction<DB>) => Promise<T>;

/**
 * Decides how one transaction of the current unit of work runs: `execute` runs a callback as a real
 * transaction, so the interceptor may add statements to it (after the caller's work, before the
 * commit) or answer without running it.
 */
export type TransactionInterceptor = <DB, T>(
  work: Work<DB, T>,
  execute: (work: Work<DB, T>) => Promise<T>,
) => Promise<T>;

const interceptors = new AsyncLocalStorage<TransactionInterceptor>();

/**
 * Runs `fn` with every `db.transaction().execute()` it starts (at any depth of calls) going through
 * `interceptor`. The HTTP layer uses it to record an idempotency key in the business transaction
 * without the services knowing.
 */
export function runIntercepting<T>(interceptor: TransactionInterceptor, fn: () => T): T {
  return interceptors.run(interceptor, fn);
}

/** Runs `fn` outside any interceptor: for background work started from a request (a worker wake-up). */
export function runUnintercepted<T>(fn: () => T): T {
  return interceptors.exit(fn);
}

/** Routes the handle's transactions through the interceptor of the calling context, when there is one. */
export function interceptTransactions<DB>(db: Kysely<DB>): Kysely<DB> {
  const begin = db.transaction.bind(db);
  db.transaction = () => {
    const builder = begin();
    const execute = builder.execute.bind(builder) as <T>(work: Work<DB, T>) => Promise<T>;
    builder.execute = <T>(work: Work<DB, T>): Promise<T> => {
      const interceptor = interceptors.getStore();
      return interceptor ? interceptor(work, execute) : execute(work);
    };
    return builder;
  };
  return db;
}
