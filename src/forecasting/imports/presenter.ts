import type { CostImport } from './repository.ts';
import type { ImportReport, RejectedRow } from './rows.ts';
import type { ImportViewType } from './schemas.ts';

/** An import row as its tenant sees it. */
export function presentImport(row: CostImport): ImportViewType {
  const total = row.bytes_total === null ? null : Number(row.bytes_total);
  const read = Number(row.bytes_read);
  const report = row.summary === null ? null : (JSON.parse(row.summary) as Omit<ImportReport, 'rejected'>);
  return {
    id: row.id,
    status: row.status,
    filename: row.filename,
    format: row.format,
    basis: row.cost_basis,
    bytes_total: total,
    bytes_read: read,
    progress_percent: row.status === 'succeeded' ? 100 : total ? Math.min(100, Math.floor((read / total) * 100)) : 0,
    rows_read: Number(row.rows_read),
    rows_imported: Number(row.rows_imported),
    rows_rejected: Number(row.rows_rejected),
    rejected: JSON.parse(row.rejected_sample) as RejectedRow[],
    days_written: Number(row.days_written),
    summary:
      row.status === 'succeeded' && report
        ? {
            currency: report.currency,
            total: report.total,
            charge_kinds: report.charge_kinds as Record<string, string>,
            rows_empty_cost: report.rows_empty_cost,
            rows_unreadable_tags: report.rows_unreadable_tags,
            first_date: report.first_date,
            last_date: report.last_date,
            records: report.records,
          }
        : null,
    error: row.error === null ? null : (JSON.parse(row.error) as ImportViewType['error']),
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}
