import type { AnomalyId, BudgetId, ImportId } from './ids.ts';

/**
 * Money is stored as integer micro-units of the tenant's currency (`*_micros`, 10⁻⁶): sums in SQL
 * are exact, and a day's aggregate is rounded once (half-even) when it is written. See money.ts.
 */

/** One row per tenant that has cost data: its single currency and the version of its data. */
export interface CostProfilesTable {
  customer_id: string;
  /** ISO 4217 code, fixed by the first record; mixed currencies are refused. */
  currency: string;
  /** Bumped by every write of cost records: forecasts are cached per data version. */
  data_version: number;
  updated_at: string;
}

/** A day's cost of one service in one account and region (the idempotency key of ingestion). */
export interface CostRecordsTable {
  customer_id: string;
  /** Calendar day, YYYY-MM-DD. */
  date: string;
  service: string;
  /** '' when the source has no account. */
  account_id: string;
  /** '' when the source has no region. */
  region: string;
  /** JSON object of string tags. */
  tags: string;
  amount_micros: number;
  currency: string;
  /** 'api', 'import:<id>' or 'demo'. */
  source: string;
  updated_at: string;
}

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** An uploaded billing export and its durable import job's progress and outcome. */
export interface CostImportsTable {
  id: ImportId;
  customer_id: string;
  status: ImportStatus;
  /** Detected from the header: 'cur2', 'cur_legacy' or 'focus'; null until detected. */
  format: string | null;
  /** Which cost column is used (FOCUS: 'billed' or 'effective'; CUR: 'unblended'). */
  cost_basis: string;
  filename: string | null;
  /** The spooled upload under the data directory; removed when the job ends. */
  spool_path: string | null;
  bytes_total: number | null;
  bytes_read: number;
  rows_read: number;
  rows_imported: number;
  rows_rejected: number;
  days_written: number;
  /** JSON array of the first 100 rejected rows: [{line, reason}]. */
  rejected_sample: string;
  /** JSON object: totals per charge kind, date range, currency (set when the job ends). */
  summary: string | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** A computed forecast response, cached per tenant, parameters and data version (90-day retention). */
export interface CostForecastsTable {
  customer_id: string;
  /** The month the forecast was made in, YYYY-MM. */
  period_month: string;
  /** The request's parameters, canonical (e.g. 'months=6;level=80;by=total'). */
  params_key: string;
  data_version: number;
  /** JSON of the API response. */
  result: string;
  created_at: string;
}

/** A day whose cost departed from its expected level; unique per tenant, day and service. */
export interface CostAnomaliesTable {
  id: AnomalyId;
  customer_id: string;
  date: string;
  /** The service, or '*' for the tenant's total. */
  service: string;
  actual_micros: number;
  expected_micros: number;
  /** actual − expected (negative for drops). */
  impact_micros: number;
  score: number;
  direction: 'spike' | 'drop';
  /** Which rule flagged it: 'residual_mad', 'prior_week_150' or 'both'. */
  rule: string;
  reason: string;
  detected_at: string;
}

export type BudgetBasis = 'actual' | 'forecast' | 'both';

export interface BudgetsTable {
  id: BudgetId;
  customer_id: string;
  name: string;
  monthly_limit_micros: number;
  /** JSON array of ascending fractions, e.g. [0.5, 0.8, 1]. */
  thresholds: string;
  basis: BudgetBasis;
  /** JSON array of services the budget covers; null for all. */
  services: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A threshold crossed in a month: the row exists once, so its event is emitted once. */
export interface BudgetAlertsTable {
  budget_id: BudgetId;
  customer_id: string;
  /** YYYY-MM. */
  month: string;
  kind: 'actual' | 'forecast';
  /** The fraction crossed (forecast alerts use 1). */
  threshold: number;
  amount_micros: number;
  created_at: string;
}

export interface ForecastingTables {
  cost_profiles: CostProfilesTable;
  cost_records: CostRecordsTable;
  cost_imports: CostImportsTable;
  cost_forecasts: CostForecastsTable;
  cost_anomalies: CostAnomaliesTable;
  budgets: BudgetsTable;
  budget_alerts: BudgetAlertsTable;
}
