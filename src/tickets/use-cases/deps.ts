import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import type { emitEvent } from '../../events/outbox.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { AgentRepositoryFactory, SatisfactionRepositoryFactory } from '../desk-repository.ts';
import type { TicketRepositoryFactory } from '../repository.ts';
import type { planSla } from '../sla-engine.ts';

/** What every ticket use case is built from; injected, so each can be assembled with other parts. */
export interface TicketUseCaseDeps {
  /** Only to open transactions and to hand to `tickets`; use cases run no SQL themselves. */
  db: Kysely<Database>;
  /** Builds the tenant-bound repository over the handle or a transaction. */
  tickets: TicketRepositoryFactory;
  /** Writes an event to the outbox in the caller's transaction. */
  emitEvent: typeof emitEvent;
  clock: Clock;
  /** Called after a commit that wrote events, so an in-process worker dispatches them at once. */
  wakeWorkers(): void;
  /** The SLA side of a change: clock columns to write with it, then its log entries and due checks. */
  planSla: typeof planSla;
  /** How long after resolution a customer may reopen. */
  reopenWindowMs: number;
  /** CSAT ratings, bound to a tenant scope like `tickets`. */
  satisfaction: SatisfactionRepositoryFactory;
  /** Staff desk settings (availability, round-robin rotation). */
  agents: AgentRepositoryFactory;
  /** How long after resolution a resolved ticket closes by itself. */
  autoCloseMs: number;
  /** Whether new tickets go round-robin to the available agents. */
  roundRobin: boolean;
}

/** Who a change or a view is for. */
export type Audience = 'customer' | 'staff';

export const audienceOf = (auth: AuthContext): Audience => (auth.isStaff ? 'staff' : 'customer');

/** The user behind the credential; CLI-made API keys have none, so their key id stands in. */
export const actorIdOf = (auth: AuthContext): string => auth.userId ?? auth.credentialId;
