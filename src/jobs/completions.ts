import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import { completeJobs } from './queue.ts';
import type { ClaimToken } from './queue.ts';
import type { JobLogger } from './types.ts';

/**
 * Deletes succeeded jobs in batches: completions of one event-loop turn share one DELETE, and
 * completions arriving while a DELETE is in flight share the next (group commit). A lost batch
 * (database error, crash) only means those jobs run again after their leases expire.
 */
export class CompletionBatcher {
  private pending: ClaimToken[] = [];
  private inFlight: Promise<void> | null = null;
  private queued = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workerId: string,
    private readonly logger: JobLogger,
  ) {}

  /** Records a success; the row is deleted shortly. */
  add(claim: ClaimToken): void {
    this.pending.push(claim);
    if (this.queued || this.inFlight) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      void this.flush();
    });
  }

  /** Deletes everything recorded so far; resolves when done. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.inFlight = completeJobs(this.db, this.workerId, batch)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error({ err: error, jobs: batch.length }, 'deleting finished jobs failed; they will run again'),
      )
      .finally(() => {
        this.inFlight = null;
        if (this.pending.length > 0) void this.flush();
      });
    await this.inFlight;
  }
}
