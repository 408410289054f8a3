import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';
import type { RequestedBasis } from '../forecasting/imports/formats.ts';
import type { ImportProgress } from '../forecasting/imports/reader.ts';
import type { ImportReport } from '../forecasting/imports/rows.ts';

const REJECTS_SHOWN = 20;
/** Plain progress lines (not a terminal): one per this share of the file. */
const PLAIN_STEP = 0.1;

function basis(value: string): RequestedBasis {
  if (value !== 'billed' && value !== 'effective') throw new InvalidArgumentError('must be billed or effective');
  return value;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/**
 * Progress on stderr: a bar with rows, MB/s and ETA on a terminal, a line per tenth of the file
 * otherwise (logs, CI), and a last line with the final counts.
 */
async function progressReporter(totalBytes: number): Promise<{ update(p: ImportProgress): void; stop(): void }> {
  const started = Date.now();
  let last: ImportProgress = { bytesRead: 0, rowsRead: 0 };
  const speed = (p: ImportProgress) => mb(p.bytesRead / Math.max(0.001, (Date.now() - started) / 1000));
  if (process.stderr.isTTY) {
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        format: 'importing [{bar}] {percentage}% | {rows} rows | {speed} MB/s | ETA {eta_formatted}',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalBytes, 0, { rows: 0, speed: '0.0' });
    return {
      update: (p) => {
        last = p;
        bar.update(p.bytesRead, { rows: p.rowsRead.toLocaleString('en'), speed: speed(p) });
      },
      stop: () => bar.stop(),
    };
  }
  const line = (p: ImportProgress, share: number) =>
    console.error(
      `read ${mb(p.bytesRead)} of ${mb(totalBytes)} MB (${Math.floor(share * 100)} %), ${p.rowsRead} rows, ${speed(p)} MB/s`,
    );
  let nextShare = PLAIN_STEP;
  return {
    update: (p) => {
      last = p;
      const share = totalBytes === 0 ? 1 : p.bytesRead / totalBytes;
      if (share < nextShare || share >= 1) return;
      nextShare = Math.floor(share / PLAIN_STEP) * PLAIN_STEP + PLAIN_STEP;
      line(p, share);
    },
    stop: () => line(last, 1),
  };
}

function printRejects(report: Pick<ImportReport, 'rejected' | 'rows_rejected'>): void {
  if (report.rows_rejected === 0) return;
  const shown = report.rejected.slice(0, REJECTS_SHOWN);
  console.log(`  rejected rows (first ${shown.length} of ${report.rows_rejected}):`);
  for (const row of shown) console.log(`    line ${row.line}: ${row.reason}`);
}

function printSummary(file: string, customerId: string, report: ImportReport, dataVersion: number | null): void {
  const empty = report.rows_empty_cost > 0 ? ` (${report.rows_empty_cost} with an empty cost, counted as 0)` : '';
  console.log(
    `Imported ${basename(file)} into tenant ${customerId}: ${report.format}, ${report.basis} cost, ${report.currency}`,
  );
  console.log(
    `  rows: ${report.rows_read} read, ${report.rows_imported} imported${empty}, ${report.rows_rejected} rejected`,
  );
  console.log(
    `  written: ${report.records} records over ${report.days} days, ${report.first_date} to ${report.last_date} (data version ${dataVersion})`,
  );
  console.log(`  total: ${report.total} ${report.currency}`);
  const kinds = Object.entries(report.charge_kinds).map(([kind, amount]) => `${kind} ${amount}`);
  console.log(`  by charge kind: ${kinds.join(', ')}`);
  printRejects(report);
}

/**
 * `securebase import-costs FILE --customer ID`: the import path of the API's job, run here on the
 * configured database as the operator; progress on stderr, the summary on stdout, exit 1 when the
 * file is refused.
 */
export function registerImportCosts(program: Command, config: () => Config): void {
  program
    .command('import-costs')
    .description('Import a billing export (AWS CUR 2.0, legacy CUR or FOCUS; CSV or .csv.gz) into a tenant’s cost data')
    .argument('<file>', 'the export file (gzip is detected from its bytes)')
    .requiredOption('--customer <id>', 'tenant id')
    .option('--basis <basis>', 'FOCUS cost column: billed (default) or effective', basis)
    .action(async (file: string, options: { customer: string; basis?: RequestedBasis }) => {
      const totalBytes = statSync(file).size;
      // Loaded when the command runs, so that `--help` stays fast.
      const [{ openRuntime }, { importBillingFile }, { identitySystemRepository }] = await Promise.all([
        import('../server/runtime.ts'),
        import('../forecasting/imports/pipeline.ts'),
        import('../identity/repository.ts'),
      ]);
      const ctx = await openRuntime(config());
      try {
        if (!(await identitySystemRepository(ctx.database.db).findCustomer(options.customer))) {
          throw new InvalidArgumentError(`no tenant ${options.customer}`);
        }
        const progress = await progressReporter(totalBytes);
        try {
          const { report, dataVersion } = await importBillingFile(
            { db: ctx.database.db, clock: ctx.clock },
            {
              customerId: options.customer,
              path: file,
              basis: options.basis,
              source: 'import:cli',
              onProgress: progress.update,
            },
          );
          progress.stop();
          printSummary(file, options.customer, report, dataVersion);
        } catch (error) {
          progress.stop();
          if (!(error instanceof AppError)) throw error;
          console.error(`securebase: import refused: ${error.message}`);
          for (const detail of error.details.errors ?? []) console.error(`  ${detail.field}: ${detail.message}`);
          const report = error.details.extra?.report as ImportReport | undefined;
          if (report) printRejects(report);
          process.exitCode = 1;
        }
      } finally {
        await ctx.liveFeed.close();
        await ctx.database.close();
      }
    });
}
