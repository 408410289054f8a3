/**
 * The durable import job: loads its import row (done already: nothing to do), marks it running,
 * streams the spooled file through the one import path ({@link importBillingFile}), recording
 * progress on the row every {@link PROGRESS_EVERY_BYTES} of the file, then records the outcome and
 * completes the job in one transaction and deletes the spool file. A file that cannot be imported
 * (an AppError: unknown format, damaged gzip, no importable row…) fails the import for good with
 * that error; anything else (a database outage) is retried, and the last attempt fails the import.
 * An hourly sweep removes spool files that no waiting import will read.
 * A crash or a lost lease re-runs it from the start: writing a day replaces it, so the records come
 * out the same, and the row's counters start again.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import { AppError } from '../../errors/app-error.ts';
import type { PeriodicJob } from '../../jobs/index.ts';
import type { JobHandler } from '../../jobs/types.ts';
import type { ImportId } from '../ids.ts';
import { importBillingFile } from './pipeline.ts';
import type { ImportProgress } from './reader.ts';
import { importRepository, unfinishedImports } from './repository.ts';
import type { ImportRepository } from './repository.ts';
import type { ImportReport } from './rows.ts';
import type { ImportSpool } from './spool.ts';

export const IMPORT_JOB = 'forecasting.import';
/** Removes spool files no import will read: uploads cut off by a crash, files of ended imports. */
export const IMPORT_SPOOL_SWEEP_JOB = 'forecasting.import_spool_sweep';
/** A spool file this old without a waiting import is abandoned (an upload in progress is younger). */
const ABANDONED_AFTER_MS = 24 * 3_600_000;

/** The sweep's schedule, for the worker's periodic jobs. */
export const importPeriodicJobs: readonly PeriodicJob[] = [{ name: IMPORT_SPOOL_SWEEP_JOB, intervalMs: 3_600_000 }];

export interface ImportJobPayload {
  importId: ImportId;
  customerId: string;
}

/** Progress is written to the row this often (bytes of the file): a few dozen updates per GiB. */
const PROGRESS_EVERY_BYTES = 16 * 1024 * 1024;

/** The outcome's counters and summary columns from a report. */
function reportColumns(report: ImportReport) {
  // The rejected rows have a column of their own.
  const { rejected, ...summary } = report;
  return {
    format: report.format,
    cost_basis: report.basis,
    rows_read: report.rows_read,
    rows_imported: report.rows_imported,
    rows_rejected: report.rows_rejected,
    days_written: report.days,
    rejected_sample: JSON.stringify(rejected),
    summary: JSON.stringify(summary),
  };
}

/** An error as stored on a failed import: what the client would have got as a problem. */
function storedError(error: unknown): string {
  if (error instanceof AppError) {
    return JSON.stringify({ code: error.code, message: error.message, errors: error.details.errors ?? [] });
  }
  return JSON.stringify({
    code: 'internal',
    message: 'The import failed on the server; upload the file again',
    errors: [],
  });
}

/** Writes progress without waiting for it, one update at a time; `flush` waits for the last. */
function progressWriter(imports: ImportRepository, id: ImportId, clock: Clock) {
  let pending: Promise<void> = Promise.resolve();
  let writing = false;
  let nextAt = 0;
  return {
    report(progress: ImportProgress): void {
      if (progress.bytesRead < nextAt || writing) return;
      nextAt = progress.bytesRead + PROGRESS_EVERY_BYTES;
      writing = true;
      pending = imports
        .update(id, { bytes_read: progress.bytesRead, rows_read: progress.rowsRead, updated_at: clock().toISOString() })
        .finally(() => {
          writing = false;
        });
    },
    flush: () => pending,
  };
}

/** The import job's handler, for `combineJobHandlers`. */
export function importJobs(deps: {
  db: Kysely<Database>;
  clock: Clock;
  spool: ImportSpool;
}): Record<string, JobHandler> {
  const handler: JobHandler = async (job, ctx) => {
    const { importId, customerId } = job.payload as ImportJobPayload;
    const imports = importRepository(deps.db, customerId);
    const row = await imports.find(importId);
    if (!row || row.status === 'succeeded' || row.status === 'failed') return;
    const startedAt = deps.clock().toISOString();
    await imports.update(importId, {
      status: 'running',
      started_at: startedAt,
      bytes_read: 0,
      rows_read: 0,
      updated_at: startedAt,
    });
    const progress = progressWriter(imports, importId, deps.clock);
    const finish = async (changes: Parameters<ImportRepository['update']>[1]) => {
      await progress.flush().catch(() => undefined);
      await deps.db.transaction().execute(async (trx) => {
        const at = deps.clock().toISOString();
        await importRepository(trx, customerId).update(importId, {
          ...changes,
          spool_path: null,
          finished_at: at,
          updated_at: at,
        });
        await ctx.completeWithin(trx);
      });
      await deps.spool.remove(importId);
    };
    try {
      const { report } = await importBillingFile(deps, {
        customerId,
        path: deps.spool.pathOf(importId),
        basis: row.cost_basis === 'effective' ? 'effective' : 'billed',
        source: `import:${importId}`,
        signal: ctx.signal,
        onProgress: (p) => progress.report(p),
      });
      await finish({ status: 'succeeded', bytes_read: row.bytes_total ?? 0, ...reportColumns(report), error: null });
    } catch (error) {
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!(error instanceof AppError) && !gone && job.attempts < job.maxAttempts) throw error;
      const report = error instanceof AppError ? (error.details.extra?.report as ImportReport | undefined) : undefined;
      await finish({
        status: 'failed',
        ...(report ? reportColumns(report) : {}),
        error: gone
          ? JSON.stringify({ code: 'not_found', message: 'The uploaded file is gone; upload it again', errors: [] })
          : storedError(error),
      });
    }
  };
  const sweep: JobHandler = async () => {
    const before = deps.clock().getTime() - ABANDONED_AFTER_MS;
    const old = (await deps.spool.list()).filter((file) => file.modifiedAt.getTime() < before);
    const waiting = await unfinishedImports(
      deps.db,
      old.map((file) => file.id),
    );
    for (const file of old) if (!waiting.has(file.id)) await deps.spool.remove(file.id);
  };
  return { [IMPORT_JOB]: handler, [IMPORT_SPOOL_SWEEP_JOB]: sweep };
}
