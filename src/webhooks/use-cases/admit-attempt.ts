import type { Executor } from '../../jobs/types.ts';
import { breakerDecision, rateDecision } from '../flow-control.ts';
import type { DeliveryRow } from '../repository.ts';
import { defer } from './delivery-deps.ts';
import type { DeliveryUseCaseDeps } from './delivery-deps.ts';

/**
 * The endpoint's circuit breaker and optional rate limit, after its in-flight slot is taken:
 * returns when the attempt may go, throws a deferral (no attempt consumed) when it must wait.
 */
export function admitAttempt(deps: DeliveryUseCaseDeps) {
  /** Takes a slot of the endpoint's rate limit (compare-and-set shared by all workers) or defers. */
  async function takeRateSlot(db: Executor, row: DeliveryRow, perSecond: number): Promise<void> {
    const endpoints = deps.system(db);
    let tat = row.endpoint.rate_tat;
    for (let tries = 0; tries < 5; tries += 1) {
      const decision = rateDecision({ nowMs: deps.clock().getTime(), tat, perSecond });
      if (!decision.ok) throw defer(decision.waitMs + deps.random() * 20, 'endpoint rate limit');
      if (await endpoints.advanceRate(row.endpoint.id, tat, decision.tat)) return;
      tat = await endpoints.rateState(row.endpoint.id);
    }
    throw defer(20 + deps.random() * 50, 'endpoint rate limit contended');
  }

  return async function admit(db: Executor, row: DeliveryRow, start: Date): Promise<void> {
    const { endpoint } = row;
    const breaker = breakerDecision({
      nowMs: start.getTime(),
      consecutiveFailures: endpoint.consecutive_failures,
      openUntil: endpoint.circuit_open_until,
    });
    // Held jobs wake spread over a second after the hold, so the probe is not followed by a herd.
    if (breaker.kind === 'hold') throw defer(breaker.untilMs - start.getTime() + deps.random() * 1000, 'circuit open');
    if (breaker.kind === 'probe') {
      const holdUntil = new Date(start.getTime() + deps.attemptTimeoutMs + 5_000).toISOString();
      if (!(await deps.system(db).claimProbe(endpoint.id, start.toISOString(), holdUntil)))
        throw defer(deps.attemptTimeoutMs + deps.random() * 1000, 'circuit half-open, probe in flight');
    }
    if (endpoint.rate_limit_per_second) await takeRateSlot(db, row, endpoint.rate_limit_per_second);
  };
}
