/**
 * One import of a billing export file into a tenant's cost records, the one code path of the
 * import job and the `securebase import-costs` command: the file is streamed through
 * {@link readBillingExport} (in the tenant's currency when it has one), then its daily costs are
 * written by `writeDailyCosts` in transactions of {@link RECORDS_PER_TRANSACTION}. Writing a day
 * replaces it, so running the same file again (a job re-run after a crash) gives the same records.
 */
import { createReadStream } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import { AppError } from '../../errors/app-error.ts';
import { costProfile, writeDailyCosts } from '../records/store.ts';
import type { RequestedBasis } from './formats.ts';
import { readBillingExport } from './reader.ts';
import type { ImportProgress } from './reader.ts';
import type { ImportReport } from './rows.ts';

/** Records per write transaction: short transactions, while a typical month fits in one. */
export const RECORDS_PER_TRANSACTION = 5_000;

export interface ImportFileInput {
  customerId: string;
  path: string;
  basis: RequestedBasis | undefined;
  /** Stored with each record: 'import:<id>' or 'cli'. */
  source: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops reading (the job lost its lease, or the worker is stopping). */
  signal?: AbortSignal;
}

/** What an import wrote: the report of the file and the tenant's data version after it. */
export interface ImportOutcome {
  report: ImportReport;
  dataVersion: number | null;
}

/**
 * Imports a file. Throws an AppError when the file cannot be imported as a whole, or when none of
 * its rows can (every row rejected: the report is in the error's `extra.report`).
 */
export async function importBillingFile(
  deps: { db: Kysely<Database>; clock: Clock },
  input: ImportFileInput,
): Promise<ImportOutcome> {
  const profile = await costProfile(deps.db, input.customerId);
  const { costs, currency, report } = await readBillingExport(createReadStream(input.path, { signal: input.signal }), {
    basis: input.basis,
    currency: profile?.currency,
    now: deps.clock(),
    onProgress: input.onProgress,
  });
  if (report.rows_imported === 0) {
    throw new AppError('unprocessable', `None of the file's ${report.rows_read} rows could be imported`, {
      errors: [{ field: 'file', message: `has no importable row (first: ${report.rejected[0]?.reason ?? 'none'})` }],
      extra: { report },
    });
  }
  let dataVersion: number | null = null;
  for (let start = 0; start < costs.length; start += RECORDS_PER_TRANSACTION) {
    const rows = costs.slice(start, start + RECORDS_PER_TRANSACTION);
    const written = await deps.db
      .transaction()
      .execute((trx) =>
        writeDailyCosts(trx, { customerId: input.customerId, currency, rows, source: input.source, now: deps.clock() }),
      );
    dataVersion = written.dataVersion;
  }
  return { report, dataVersion };
}
