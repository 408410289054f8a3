export interface IdempotencyKeysTable {
  /** The credential (API key or user) the key belongs to. */
  owner: string;
  key: string;
  request_hash: string;
  /**
   * `committed`: the request's transactions committed (each wrote this row) and `response_body`
   * holds their sealed results; `done`: `response_*` is the sealed HTTP response. `in_progress` is
   * only found in rows written by earlier versions, which claimed keys before the work.
   */
  state: 'committed' | 'done' | 'in_progress';
  response_status: number | null;
  response_body: string | null;
  response_content_type: string | null;
  created_at: string;
}

export interface HttpTables {
  idempotency_keys: IdempotencyKeysTable;
}
