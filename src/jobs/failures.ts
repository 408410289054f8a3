import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';
import { failJob } from './queue.ts';
import type { ClaimToken, FailureOutcome } from './queue.ts';

interface PendingFailure {
  claim: ClaimToken;
  outcome: FailureOutcome;
  error: string;
  now: Date;
  resolve: (applied: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Records failed and postponed jobs in batches: the failures of one event-loop turn are written in
 * one transaction. Jobs that wait (RetryLater) come in bursts — an endpoint at its limit, a circuit
 * that opens — and one commit each would make a noisy job slow down everyone else's.
 */
export class FailureBatcher {
  private pending: PendingFailure[] = [];
  private queued = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workerId: string,
  ) {}

  /** Resolves once the failure is written: true when this worker still held the job. */
  record(claim: ClaimToken, outcome: FailureOutcome, error: string, now: Date): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ claim, outcome, error, now, resolve, reject });
      if (this.queued) return;
      this.queued = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.queued = false;
    try {
      const applied = await this.db.transaction().execute(async (trx) => {
        const results: boolean[] = [];
        for (const item of batch)
          results.push(await failJob(trx, this.workerId, item.claim, item.outcome, item.error, item.now));
        return results;
      });
      batch.forEach((item, index) => item.resolve(applied[index] ?? false));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}
