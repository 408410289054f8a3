import type { SealedColumn } from '../crypto/sealed-columns.ts';
import { sealedIdempotentResponses } from '../http/idempotency.ts';
import { sealedCustomHeaders, sealedSigningSecrets } from '../webhooks/secrets.ts';

/** Every column holding sealed values: `securebase admin rotate-master-key` re-seals each. One line per column. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  sealedSigningSecrets,
  sealedCustomHeaders,
  sealedIdempotentResponses,
];
