import type { AuthContext } from '../auth-context.ts';
import type { ApiKeyId } from '../tables.ts';

/** The auth context of a tenant admin's API key `id`, as the API key cache holds it. */
export const apiKeyAuth = (id: string): AuthContext => ({
  kind: 'api_key',
  userId: null,
  customerId: 'c1',
  tier: 'standard',
  role: 'admin',
  isStaff: false,
  credentialId: id as ApiKeyId,
  permissions: new Set(),
  viaCookie: false,
});
