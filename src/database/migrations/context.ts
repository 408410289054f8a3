import type { KeyRing } from '../../crypto/key-ring.ts';

/** What a migration may need besides the database: the master key ring, read only when needed. */
export interface MigrationContext {
  keyRing(): KeyRing;
}
