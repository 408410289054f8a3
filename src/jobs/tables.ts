export type JobStatus = 'pending' | 'running' | 'dead';

export interface JobsTable {
  id: string;
  name: string;
  /** JSON payload. */
  payload: string;
  status: JobStatus;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  /** Makes enqueueing idempotent: a second job with the same key is not created. */
  unique_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface JobSchedulesTable {
  name: string;
  interval_ms: number;
  next_run_at: string;
}

export interface JobTables {
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
}
