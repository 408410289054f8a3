import { toPage } from '../../database/pagination.ts';
import type { Page } from '../../database/pagination.ts';
import { AppError, notFound } from '../../errors/app-error.ts';
import { assertWithinGrantor } from '../auth-context.ts';
import type { AuthContext } from '../auth-context.ts';
import { OLDEST_USERS } from '../repository.ts';
import type { User } from '../repository.ts';
import type { CustomerRole, UserId } from '../tables.ts';
import { tenantScope } from './deps.ts';
import type { IdentityUseCaseDeps } from './deps.ts';
import { insertSetupToken } from './provision.ts';
import { provisionUseCases } from './provision.ts';

/** A user with the one-time setup token that sets their password. */
export interface UserWithSetupToken {
  user: User;
  setupToken: string;
}

/**
 * A tenant's users as its admins manage them: list, invite, change role, re-issue the setup link.
 * Every change stays within the acting credential: it may neither grant a role above its own nor
 * act on a user whose role is above its own (a setup link for an owner would hand over the owner).
 */
export function userUseCases(deps: IdentityUseCaseDeps) {
  const { db, clock, repositories } = deps;
  const { createUser } = provisionUseCases(deps);
  const now = () => clock().toISOString();

  async function findTenantUser(customerId: string, id: UserId): Promise<User> {
    const user = await repositories.tenant(db, tenantScope(customerId)).findUser(id);
    if (!user) throw notFound('User');
    return user;
  }

  /** 403 naming `field` unless the grantor may act on a user holding `role`. */
  function assertMayActOn(grantor: AuthContext, role: User['role'], field: string) {
    try {
      assertWithinGrantor(grantor, role as CustomerRole, []);
    } catch {
      throw new AppError('forbidden', `This credential may not manage a user with the role ${role}`, {
        errors: [{ field, message: `belongs to a user whose role (${role}) exceeds this credential's` }],
      });
    }
  }

  return {
    async listUsers(
      customerId: string,
      page: { limit?: number | undefined; cursor?: string | undefined },
    ): Promise<Page<User>> {
      const rows = await repositories.tenant(db, tenantScope(customerId)).listUsers(page);
      return toPage(rows, OLDEST_USERS, page.limit, (user) => ({ value: user.created_at, id: user.id }));
    },

    /** A new user of the tenant without a password, and the token of their setup link. */
    async inviteUser(input: {
      customerId: string;
      email: string;
      name: string;
      role: CustomerRole;
      grantor: AuthContext;
    }): Promise<UserWithSetupToken> {
      assertWithinGrantor(input.grantor, input.role, []);
      const { user, setupToken } = await createUser({
        customerId: input.customerId,
        email: input.email,
        name: input.name,
        role: input.role,
      });
      return { user, setupToken: setupToken as string };
    },

    /** Changes a user's role; the tenant always keeps an owner. Takes effect on the user's next request. */
    async changeRole(input: { customerId: string; id: UserId; role: CustomerRole; grantor: AuthContext }) {
      assertWithinGrantor(input.grantor, input.role, []);
      return db.transaction().execute(async (trx) => {
        const users = repositories.tenant(trx, tenantScope(input.customerId));
        await users.lockTenant();
        const user = await users.findUser(input.id);
        if (!user) throw notFound('User');
        assertMayActOn(input.grantor, user.role, 'id');
        if (user.role === input.role) return user;
        if (user.role === 'owner' && (await users.countOwners()) <= 1) {
          throw new AppError('conflict', 'The tenant needs an owner: make another user owner first', {
            errors: [{ field: 'role', message: 'would leave the tenant without an owner' }],
          });
        }
        const updatedAt = now();
        await users.setUserRole(input.id, input.role, updatedAt);
        return { ...user, role: input.role, updated_at: updatedAt };
      });
    },

    /**
     * A new setup token for a user of the tenant; earlier unused ones stop working. A user who has
     * a password keeps it until the link is used.
     */
    async reissueSetupToken(input: {
      customerId: string;
      id: UserId;
      grantor: AuthContext;
    }): Promise<UserWithSetupToken> {
      const user = await findTenantUser(input.customerId, input.id);
      assertMayActOn(input.grantor, user.role, 'id');
      const setupToken = await db.transaction().execute(async (trx) => {
        await repositories.system(trx).retireSetupTokens(user.id, now());
        return insertSetupToken(deps, trx, user.id);
      });
      return { user, setupToken };
    },
  };
}
