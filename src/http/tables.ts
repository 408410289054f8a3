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

export interface HttpTables {
  idempotency_keys: IdempotencyKeysTable;
}
