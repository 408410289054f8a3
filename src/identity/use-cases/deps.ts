import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import type { Database } from '../../database/schema.ts';
import type { ApiKeyChanges } from '../api-key-changes.ts';
import type { TenantScope } from '../auth-context.ts';
import { identitySystemRepository, identityTenantRepository } from '../repository.ts';
import type { IdentitySystemRepository, IdentityTenantRepository } from '../repository.ts';
import type { ScryptParams } from '../secrets.ts';

/** How the use cases reach storage: factories bound to an executor (the handle or a transaction). */
export interface IdentityRepositories {
  system(executor: Kysely<Database>): IdentitySystemRepository;
  tenant(executor: Kysely<Database>, scope: TenantScope): IdentityTenantRepository;
}

export const identityRepositories: IdentityRepositories = {
  system: identitySystemRepository,
  tenant: identityTenantRepository,
};

/** What every identity use case is built from. */
export interface IdentityUseCaseDeps {
  db: Kysely<Database>;
  clock: Clock;
  sessionTtlHours: number;
  passwordHashing: ScryptParams;
  repositories: IdentityRepositories;
  /** API keys verified recently, and the one way to change a key so that every process evicts it. */
  apiKeys: ApiKeyChanges;
}

/** The tenant scope of one customer, for the tenant-bound repository. */
export const tenantScope = (customerId: string): TenantScope => ({ kind: 'tenant', customerId });
