import type { Tier } from '../config/config.ts';
import type { Brand } from '../database/ids.ts';

/** Ids of identity's own rows, branded so one cannot be passed where another is expected. */
export type UserId = Brand<string, 'UserId'>;
export type SessionId = Brand<string, 'SessionId'>;
export type ApiKeyId = Brand<string, 'ApiKeyId'>;

export type CustomerRole = 'owner' | 'admin' | 'member' | 'viewer';
export type StaffRole = 'agent' | 'platform_admin';
export type Role = CustomerRole | StaffRole;

export interface CustomersTable {
  id: string;
  name: string;
  tier: Tier;
  status: 'active' | 'suspended';
  /** Last ticket number handed out; the next ticket takes this plus one. */
  last_ticket_number: number;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: UserId;
  /** Null for SecureBase staff, who belong to no tenant. */
  customer_id: string | null;
  email: string;
  name: string;
  role: Role;
  /** scrypt hash; null until the user sets a password (setup link). */
  password_hash: string | null;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionsTable {
  id: SessionId;
  user_id: UserId;
  token_hash: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiKeysTable {
  id: ApiKeyId;
  customer_id: string;
  created_by: UserId | null;
  name: string;
  /** First characters of the key, shown in lists (`sb_live_ab12…`). */
  prefix: string;
  key_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  role: CustomerRole;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface SetupTokensTable {
  token_hash: string;
  user_id: UserId;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface IdentityTables {
  customers: CustomersTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  setup_tokens: SetupTokensTable;
}
