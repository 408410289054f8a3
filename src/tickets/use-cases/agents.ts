import { forbidden, notFound } from '../../errors/app-error.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import type { SupportAgent } from '../desk-repository.ts';
import type { TicketUseCaseDeps } from './deps.ts';

function requireStaff(auth: AuthContext): void {
  if (!auth.isStaff) throw forbidden('The agent list is for SecureBase staff');
}

/**
 * Staff desk settings. Agents mark themselves available for round-robin; platform admins may set
 * anyone's. Availability only matters while TICKET_ROUND_ROBIN is on.
 */
export function agents(deps: TicketUseCaseDeps) {
  return {
    async list(auth: AuthContext): Promise<{ agents: SupportAgent[]; roundRobin: boolean }> {
      requireStaff(auth);
      return { agents: await deps.agents(deps.db).list(), roundRobin: deps.roundRobin };
    },

    async setAvailability(auth: AuthContext, userId: string, available: boolean): Promise<SupportAgent> {
      requireStaff(auth);
      const id = userId.toLowerCase();
      if (auth.role !== 'platform_admin' && auth.userId !== id)
        throw forbidden('Agents set their own availability; platform admins set anyone’s');
      const repo = deps.agents(deps.db);
      if (!(await repo.find(id))) throw notFound('Agent');
      await repo.setAvailability(id, available, deps.clock().toISOString());
      return (await repo.find(id)) as SupportAgent;
    },
  };
}
