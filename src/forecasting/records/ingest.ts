/**
 * The records API's write: checks the batch against the tenant's currency and the clock's today
 * (validate.ts), then stores it in one transaction through `writeDailyCosts`, which replaces the
 * days it is given, bumps the data version and enqueues the evaluation of budgets and anomalies.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import { AppError } from '../../errors/app-error.ts';
import { costProfile, writeDailyCosts } from './store.ts';
import { checkBatch, type RecordInput } from './validate.ts';

/** What a stored batch changed. */
export interface IngestResult {
  written: number;
  days: number;
  services: number;
  currency: string;
  dataVersion: number;
}

/** Stores a batch for a tenant; throws a 400 naming every bad field, changing nothing. */
export async function ingestCostRecords(
  deps: { db: Kysely<Database>; clock: Clock; wakeWorkers(): void },
  customerId: string,
  records: readonly RecordInput[],
): Promise<IngestResult> {
  const now = deps.clock();
  const profile = await costProfile(deps.db, customerId);
  const checked = checkBatch(records, now.toISOString().slice(0, 10), profile?.currency ?? null);
  if (!checked.ok) {
    const [first] = checked.errors;
    throw new AppError('validation_failed', first ? `${first.field} ${first.message}` : 'The batch is invalid', {
      errors: checked.errors,
    });
  }
  const { currency, rows } = checked.batch;
  const { written, dataVersion } = await deps.db
    .transaction()
    .execute((trx) => writeDailyCosts(trx, { customerId, currency, rows, source: 'api', now }));
  deps.wakeWorkers();
  return {
    written,
    days: new Set(rows.map((row) => row.date)).size,
    services: new Set(rows.map((row) => row.service)).size,
    currency,
    dataVersion,
  };
}
