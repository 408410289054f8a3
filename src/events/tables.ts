export interface EventsTable {
  /** `evt_…`, stable: webhook receivers use it as their idempotency key. */
  id: string;
  customer_id: string | null;
  type: string;
  /** The seed's SNS topic this event belongs to: support-events, webhook-events, cost-alerts, notifications. */
  category: string;
  /** JSON of the event's data. */
  data: string;
  created_at: string;
}

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

export interface IdempotencyKeysTable {
  /** The credential (API key or user) the key belongs to. */
  owner: string;
  key: string;
  request_hash: string;
  state: 'in_progress' | 'done';
  response_status: number | null;
  response_body: string | null;
  response_content_type: string | null;
  created_at: string;
}

export interface EventTables {
  events: EventsTable;
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
  idempotency_keys: IdempotencyKeysTable;
}
