/** One row per rate-limited key and its current window; see rate-limits/counters.ts. */
export interface RateLimitWindowsTable {
  /** SHA-256 (base64url) of the limiter's key, so the table holds no address or email. */
  key: string;
  count: number;
  /** When the window ends; housekeeping deletes rows past it. */
  ends_at: string;
}

export interface RateLimitTables {
  rate_limit_windows: RateLimitWindowsTable;
}
