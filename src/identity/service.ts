import type { Kysely } from 'kysely';
import type { Clock } from '../config/clock.ts';
import type { Database } from '../database/schema.ts';
import type { LiveFeed } from '../realtime/live-feed.ts';
import { apiKeyChanges } from './api-key-changes.ts';
import { OWASP_SCRYPT } from './secrets.ts';
import type { ScryptParams } from './secrets.ts';
import type { UserId } from './tables.ts';
import { apiKeyUseCases } from './use-cases/api-keys.ts';
import { identityRepositories } from './use-cases/deps.ts';
import type { IdentityRepositories } from './use-cases/deps.ts';
import { passwordUseCases } from './use-cases/passwords.ts';
import { provisionUseCases } from './use-cases/provision.ts';
import { sessionUseCases } from './use-cases/sessions.ts';
import { userUseCases } from './use-cases/users.ts';

export type { CreatedApiKey, Grantor } from './use-cases/api-keys.ts';
export { LOGIN_LIMITS, SETUP_LIMITS } from './use-cases/limits.ts';

export interface IdentityDeps {
  db: Kysely<Database>;
  clock: Clock;
  sessionTtlHours: number;
  /** Where changes to API keys are announced to every API process (the context's live feed). */
  liveFeed: LiveFeed;
  /** Cost of new password hashes; OWASP's by default (tests pass a cheaper one to stay fast). */
  passwordHashing?: ScryptParams;
  /** Storage; the SQL repositories unless a caller substitutes its own. */
  repositories?: IdentityRepositories;
}

/** Tenants, users, passwords, sessions and API keys: the use cases over one set of dependencies. */
export function createIdentityService({
  db,
  clock,
  sessionTtlHours,
  liveFeed,
  passwordHashing = OWASP_SCRYPT,
  repositories = identityRepositories,
}: IdentityDeps) {
  const apiKeys = apiKeyChanges(liveFeed);
  const deps = { db, clock, sessionTtlHours, passwordHashing, repositories, apiKeys };
  return {
    ...provisionUseCases(deps),
    ...passwordUseCases(deps),
    ...sessionUseCases(deps),
    ...apiKeyUseCases(deps),
    ...userUseCases(deps),
    findCustomer: (id: string) => repositories.system(db).findCustomer(id),
    findUser: (id: UserId) => repositories.system(db).findUserById(id),
    /** Keeps cached API keys current while this process serves requests; returns the function that stops. */
    followApiKeyChanges: () => apiKeys.follow(),
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
