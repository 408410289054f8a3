import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import { AppError } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { UserId } from '../../identity/tables.ts';
import type { LiveFeed } from '../../realtime/live-feed.ts';
import type { inboxRepository } from '../repository.ts';

/** What the inbox use cases are built from; injected, so each can be assembled with other parts. */
export interface InboxUseCaseDeps {
  /** Only to open transactions and to hand to `inbox`; use cases run no SQL themselves. */
  db: Kysely<Database>;
  /** Builds the repository bound to one user over the handle or a transaction. */
  inbox: typeof inboxRepository;
  clock: Clock;
  /** Where inbox changes are announced to live streams. */
  liveFeed: LiveFeed;
}

/**
 * The user whose inbox a request reads: the signed-in user of a session. An API key (a machine)
 * has no inbox, even one made by a user: it answers 403 rather than exposing its creator's.
 */
export function inboxOwner(auth: AuthContext): UserId {
  if (auth.kind !== 'session' || !auth.userId) {
    throw new AppError(
      'forbidden',
      'Notifications belong to users: sign in and use a session token (API keys have no inbox)',
    );
  }
  return auth.userId;
}
