import type { Kysely } from 'kysely';
import type { Tier } from '../../config/config.ts';
import { uuidv7 } from '../../database/ids.ts';
import type { Database } from '../../database/schema.ts';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { isValidEmail, normalizeEmail } from '../email.ts';
import { isStaffRole } from '../permissions.ts';
import type { Customer, User } from '../repository.ts';
import { hashPassword, randomToken, sha256 } from '../secrets.ts';
import type { Role, StaffRole, UserId } from '../tables.ts';
import { insertApiKey } from './api-keys.ts';
import type { IdentityUseCaseDeps } from './deps.ts';

const SETUP_TOKEN_TTL_MS = 7 * 24 * 3600_000;

/** The email as stored, or 400 naming the field with the rule the API schema applies. */
export function validEmail(email: string, field: string): string {
  const normalized = normalizeEmail(email);
  if (!isValidEmail(normalized)) throw invalidField(field, 'must be an email address');
  return normalized;
}

/** Issues a one-time setup token for the user in the caller's transaction; only its hash is stored. */
export async function insertSetupToken(
  deps: IdentityUseCaseDeps,
  trx: Kysely<Database>,
  userId: UserId,
): Promise<string> {
  const setupToken = randomToken();
  const now = deps.clock();
  await deps.repositories.system(trx).insertSetupToken({
    token_hash: sha256(setupToken),
    user_id: userId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SETUP_TOKEN_TTL_MS).toISOString(),
  });
  return setupToken;
}

/** Tenants, users and staff: new accounts with a password or a one-time setup token. */
export function provisionUseCases(deps: IdentityUseCaseDeps) {
  const { db, clock, repositories, passwordHashing } = deps;
  const now = () => clock().toISOString();
  // Hashing happens before any transaction: nothing but database work runs inside one.
  const hashIfGiven = (password: string | undefined) =>
    password ? hashPassword(password, passwordHashing) : Promise.resolve(null);

  async function insertUser(
    trx: Kysely<Database>,
    input: { customerId: string | null; email: string; name: string; role: Role; passwordHash: string | null },
  ) {
    const users = repositories.system(trx);
    if (await users.findUserByEmail(input.email)) {
      throw new AppError('conflict', `A user with email ${input.email} already exists`, {
        errors: [{ field: 'email', message: 'is already registered' }],
      });
    }
    const user: User = {
      id: uuidv7() as UserId,
      customer_id: input.customerId,
      email: input.email,
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash,
      status: 'active',
      created_at: now(),
      updated_at: now(),
      last_login_at: null,
    };
    await users.insertUser(user);
    const setupToken = input.passwordHash ? null : await insertSetupToken(deps, trx, user.id);
    return { user, setupToken };
  }

  /** A user in a tenant (customer roles) or on the SecureBase staff (customerId null). */
  async function createUser(input: {
    customerId: string | null;
    email: string;
    name: string;
    role: Role;
    password?: string;
  }) {
    if ((input.customerId === null) !== isStaffRole(input.role)) {
      throw new AppError('validation_failed', 'Staff roles belong to no tenant; customer roles need one', {
        errors: [{ field: 'role', message: 'does not fit the tenant' }],
      });
    }
    const email = validEmail(input.email, 'email');
    const passwordHash = await hashIfGiven(input.password);
    return db
      .transaction()
      .execute((trx) =>
        insertUser(trx, { customerId: input.customerId, email, name: input.name, role: input.role, passwordHash }),
      );
  }

  return {
    /** A tenant with its first owner and an admin API key (the CLI's `admin create-tenant`). */
    async createTenant(input: {
      name: string;
      tier: Tier;
      adminEmail: string;
      adminName?: string;
      adminPassword?: string;
    }) {
      const adminEmail = validEmail(input.adminEmail, 'admin_email');
      const passwordHash = await hashIfGiven(input.adminPassword);
      return db.transaction().execute(async (trx) => {
        const customer: Customer = {
          id: uuidv7(),
          name: input.name,
          tier: input.tier,
          status: 'active',
          last_ticket_number: 1000,
          created_at: now(),
          updated_at: now(),
        };
        await repositories.system(trx).insertCustomer(customer);
        const { user, setupToken } = await insertUser(trx, {
          customerId: customer.id,
          email: adminEmail,
          name: input.adminName ?? adminEmail,
          role: 'owner',
          passwordHash,
        });
        const apiKey = await insertApiKey(deps, trx, {
          customerId: customer.id,
          name: 'Initial admin key',
          role: 'admin',
          scopes: [],
          createdBy: user.id,
        });
        return { customer, user, setupToken, apiKey };
      });
    },

    createUser,

    createStaff: (input: { email: string; name: string; role: StaffRole; password?: string }) =>
      createUser({ ...input, customerId: null }),

    /** First start on an empty database: the platform admin, with a one-time setup token. */
    async bootstrapPlatformAdmin(email = 'admin@securebase.local'): Promise<{ user: User; setupToken: string } | null> {
      const adminExists = async (handle: Kysely<Database>) =>
        (await repositories.system(handle).countPlatformAdmins()) > 0;
      const adminEmail = validEmail(email, 'email');
      try {
        return await db.transaction().execute(async (trx) => {
          if (await adminExists(trx)) return null;
          const { user, setupToken } = await insertUser(trx, {
            customerId: null,
            email: adminEmail,
            name: 'Platform admin',
            role: 'platform_admin',
            passwordHash: null,
          });
          return { user, setupToken: setupToken as string };
        });
      } catch (error) {
        // Processes starting together on a new PostgreSQL database race here: the losers' inserts
        // wait for the winner's commit and fail on its key, after which they find its admin.
        if (await adminExists(db)) return null;
        throw error;
      }
    },
  };
}
