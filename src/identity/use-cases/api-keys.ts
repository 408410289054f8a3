import type { Kysely } from 'kysely';
import { uuidv7 } from '../../database/ids.ts';
import type { Database } from '../../database/schema.ts';
import { emitEvent } from '../../events/outbox.ts';
import { notFound } from '../../errors/app-error.ts';
import { assertWithinGrantor } from '../auth-context.ts';
import type { AuthContext } from '../auth-context.ts';
import type { Permission } from '../permissions.ts';
import type { ApiKey } from '../repository.ts';
import { generateApiKey } from '../secrets.ts';
import type { ApiKeyId, CustomerRole, UserId } from '../tables.ts';
import { tenantScope } from './deps.ts';
import type { IdentityUseCaseDeps } from './deps.ts';

/** An API key as shown after creation: the secret appears here and nowhere else, ever. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  key: string;
}

/** Who hands out an API key: a request's credential (bounded by its own rights) or the local operator (the CLI). */
export type Grantor = AuthContext | 'operator';

export interface NewApiKey {
  customerId: string;
  name: string;
  role: CustomerRole;
  scopes: Permission[];
  expiresAt?: string | null;
}

/** Inserts a key and its `api_key.created` event in the caller's transaction. */
export async function insertApiKey(
  deps: IdentityUseCaseDeps,
  trx: Kysely<Database>,
  input: NewApiKey & { createdBy: UserId | null },
): Promise<CreatedApiKey> {
  const { key, prefix, hash } = generateApiKey();
  const now = deps.clock();
  const apiKey: ApiKey = {
    id: uuidv7() as ApiKeyId,
    customer_id: input.customerId,
    created_by: input.createdBy,
    name: input.name,
    prefix,
    key_hash: hash,
    scopes: JSON.stringify(input.scopes),
    role: input.role,
    created_at: now.toISOString(),
    last_used_at: null,
    expires_at: input.expiresAt ?? null,
    revoked_at: null,
  };
  await deps.repositories.system(trx).insertApiKey(apiKey);
  await emitEvent(
    trx,
    {
      type: 'api_key.created',
      customerId: input.customerId,
      data: {
        api_key_id: apiKey.id,
        name: apiKey.name,
        prefix,
        scopes: input.scopes,
        role: input.role,
        created_by: input.createdBy,
      },
    },
    now,
  );
  return { apiKey, key };
}

/** Creating, listing and revoking a tenant's API keys. */
export function apiKeyUseCases(deps: IdentityUseCaseDeps) {
  const { db, clock, repositories, apiKeys } = deps;
  return {
    /** A key of the tenant; a credential may hand out no role or scope beyond its own. */
    async createApiKey(input: NewApiKey & { grantor: Grantor }): Promise<CreatedApiKey> {
      const { grantor, ...key } = input;
      if (grantor !== 'operator') assertWithinGrantor(grantor, key.role, key.scopes);
      if (!(await repositories.system(db).findCustomer(input.customerId))) throw notFound('Customer');
      return db
        .transaction()
        .execute((trx) =>
          insertApiKey(deps, trx, { ...key, createdBy: grantor === 'operator' ? null : grantor.userId }),
        );
    },

    listApiKeys: (customerId: string) => repositories.tenant(db, tenantScope(customerId)).listApiKeys(),

    /** Revokes a key; `revokedBy` (the user acting, if any) is named in the `api_key.revoked` event. */
    async revokeApiKey(customerId: string, id: ApiKeyId, revokedBy: UserId | null = null) {
      await apiKeys.runChange(db, id, async (trx) => {
        const keys = repositories.tenant(trx, tenantScope(customerId));
        const result = await keys.revokeApiKey(id, clock().toISOString());
        const key = await keys.findApiKey(id);
        if (!key) throw notFound('API key');
        if (Number(result.numUpdatedRows) === 0) return;
        await emitEvent(
          trx,
          { type: 'api_key.revoked', customerId, data: { api_key_id: id, name: key.name, revoked_by: revokedBy } },
          clock(),
        );
      });
      return repositories.tenant(db, tenantScope(customerId)).findApiKey(id);
    },
  };
}
