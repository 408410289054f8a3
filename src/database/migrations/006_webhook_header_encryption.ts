import type { Kysely } from 'kysely';
import { sealHeaderValues } from '../../webhooks/secrets.ts';
import type { MigrationContext } from './context.ts';

interface Row {
  id: string;
  custom_headers: string;
}

/**
 * Custom header values of webhook endpoints were stored in plaintext; seals each one like the
 * signing secrets (see webhooks/secrets.ts). The column keeps its shape (name → value), so only
 * the values change. The master key is read only when there is something to seal.
 */
export async function up(db: Kysely<unknown>, context: MigrationContext): Promise<void> {
  const typed = db as unknown as Kysely<{ webhook_endpoints: Row }>;
  const rows = await typed
    .selectFrom('webhook_endpoints')
    .select(['id', 'custom_headers'])
    .where('custom_headers', '!=', '{}')
    .execute();
  if (rows.length === 0) return;
  const keyRing = context.keyRing();
  for (const row of rows) {
    const plain = JSON.parse(row.custom_headers) as Record<string, string>;
    await typed
      .updateTable('webhook_endpoints')
      .set({ custom_headers: sealHeaderValues(keyRing, row.id, plain) })
      .where('id', '=', row.id)
      .execute();
  }
}
