import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { api, data } from '../../api/client.ts';
import { formatMoney, formatPercent } from '../../ui/format.ts';
import { ActionError, ErrorState } from '../../ui/states.tsx';
import type { CostImport } from './types.ts';
import { uploadBillingFile } from './upload.ts';

const POLL_MS = 1000;
const REJECTED_SHOWN = 10;

const isDone = (job: CostImport | undefined) => job?.status === 'succeeded' || job?.status === 'failed';

const FORMAT_NAMES: Record<string, string> = { cur2: 'AWS CUR 2.0', cur_legacy: 'AWS legacy CUR', focus: 'FOCUS' };

function ImportStatus({ job }: { job: CostImport }) {
  const done = isDone(job);
  return (
    <div className="stack import-status">
      <p role="status">
        {job.status === 'queued' && 'Waiting to be read…'}
        {job.status === 'running' && `Reading the file: ${job.progress_percent} %, ${job.rows_read} rows so far…`}
        {job.status === 'succeeded' &&
          `Import finished: ${job.rows_imported} rows imported, ${job.rows_rejected} rejected, ${job.days_written} days written.`}
        {job.status === 'failed' && `Import failed: ${job.error?.message ?? 'the file could not be read'}`}
      </p>
      {!done && <progress max={100} value={job.progress_percent} aria-label="Import progress" />}
      {job.status === 'succeeded' && job.summary && (
        <p className="muted">
          {job.format ? `${FORMAT_NAMES[job.format] ?? job.format}, ` : ''}
          {job.summary.first_date} to {job.summary.last_date}, total{' '}
          {formatMoney(job.summary.total, job.summary.currency)}.
        </p>
      )}
      {job.error && job.error.errors.length > 0 && (
        <ul className="muted">
          {job.error.errors.map((error) => (
            <li key={`${error.field}:${error.message}`}>{error.message}</li>
          ))}
        </ul>
      )}
      {job.rejected.length > 0 && (
        <details>
          <summary>
            {job.rows_rejected} rejected {job.rows_rejected === 1 ? 'row' : 'rows'}
            {job.rows_rejected > REJECTED_SHOWN ? ` (first ${REJECTED_SHOWN} shown)` : ''}
          </summary>
          <ul>
            {job.rejected.slice(0, REJECTED_SHOWN).map((row) => (
              <li key={row.line}>
                Line {row.line}: {row.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** Upload of a billing export, then its import followed until done; the forecast reloads after. */
export function ImportPanel() {
  const queryClient = useQueryClient();
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [uploaded, setUploaded] = useState(0);
  const upload = useMutation({
    mutationFn: (chosen: File) => uploadBillingFile(chosen, setUploaded),
  });
  const jobId = upload.data?.id;
  const job = useQuery({
    queryKey: ['forecast', 'import', jobId],
    queryFn: async () => data(await api.GET('/v1/cost/imports/{id}', { params: { path: { id: jobId ?? '' } } })),
    enabled: jobId !== undefined,
    initialData: upload.data,
    refetchInterval: (query) => (isDone(query.state.data) ? false : POLL_MS),
  });
  const succeeded = job.data?.status === 'succeeded';

  useEffect(() => {
    if (!succeeded) return;
    void queryClient.invalidateQueries({ queryKey: ['forecast', 'report'] });
    void queryClient.invalidateQueries({ queryKey: ['forecast', 'anomalies'] });
    void queryClient.invalidateQueries({ queryKey: ['forecast', 'budgets'] });
  }, [succeeded, queryClient]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setUploaded(0);
    upload.mutate(file);
  }

  return (
    <div className="stack">
      <h2 id="import-title">Import a billing file</h2>
      <p className="muted">
        An AWS Cost and Usage Report (CUR 2.0 or legacy) or a FinOps FOCUS export, as CSV or gzip-compressed CSV. Days
        already imported are replaced.
      </p>
      <form className="toolbar" onSubmit={submit}>
        <div className="field">
          <label htmlFor={inputId}>Billing file</label>
          <input
            id={inputId}
            type="file"
            accept=".csv,.gz,text/csv,application/gzip"
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
        </div>
        <button type="submit" className="btn btn-primary" disabled={!file || upload.isPending}>
          Import the file
        </button>
      </form>
      {upload.isPending && (
        <div className="stack">
          <p role="status">Uploading: {formatPercent(uploaded, 0)}</p>
          <progress max={1} value={uploaded} aria-label="Upload progress" />
        </div>
      )}
      <ActionError error={upload.error} />
      {job.data && <ImportStatus job={job.data} />}
      {job.isError && <ErrorState error={job.error} onRetry={() => void job.refetch()} />}
    </div>
  );
}
