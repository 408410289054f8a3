import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';

/** Webhook delivery attempts finished in a window, and how many of them failed. */
export interface AttemptCounts {
  attempts: number;
  /** Finished without a 2xx: timeout, connection error, refused address or non-2xx answer. */
  failures: number;
}

/**
 * Attempts started in [from, to) that have finished, counted as the delivery statistics count them
 * (`windowStats`): an attempt still `unknown` (in flight, or its worker died) is not counted.
 */
export async function countFinishedAttempts(
  db: Kysely<Database>,
  window: { from: Date; to: Date },
): Promise<AttemptCounts> {
  const row = await db
    .selectFrom('webhook_attempts')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('attempts'),
      eb.fn
        .sum<number | string | null>(eb.case().when('outcome', '=', 'delivered').then(0).else(1).end())
        .as('failures'),
    ])
    .where('created_at', '>=', window.from.toISOString())
    .where('created_at', '<', window.to.toISOString())
    .where('outcome', '!=', 'unknown')
    .executeTakeFirstOrThrow();
  return { attempts: Number(row.attempts), failures: Number(row.failures ?? 0) };
}
