import { AppError, invalidField } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { enqueueJob } from '../../jobs/index.ts';
import { autoCloseJob } from '../lifecycle.ts';
import type { Ticket } from '../repository.ts';
import { planUpdate } from '../update-plan.ts';
import type { TicketPatch } from '../update-plan.ts';
import { actorIdOf, audienceOf } from './deps.ts';
import type { TicketUseCaseDeps } from './deps.ts';
import { resolveTicket } from './resolve-ticket.ts';
import { emitChanges, historyOf, STALE, withVersionRetry } from './ticket-changes.ts';

/**
 * True when an `If-Match` header names the ticket's current version (or is `*`). A staff ETag
 * (`"3.1"`) matches on its version part: an internal note changes nothing a PATCH could overwrite.
 */
export function etagMatches(header: string, version: number): boolean {
  return header.split(',').some((tag) => {
    const value = tag
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1');
    return value === '*' || value.replace(/\.\d+$/, '') === String(version);
  });
}

function preconditionFailed(ticket: Ticket): AppError {
  return new AppError('precondition_failed', 'The ticket changed since you read it; fetch it again', {
    errors: [{ field: 'if-match', message: `does not match the current version ${ticket.version}` }],
    extra: { current_version: ticket.version },
  });
}

/**
 * Changes status, priority, category, assignee or tags under the role rules; one history entry
 * per changed field and the matching events. `ifMatch` → 412 when stale.
 */
export function updateTicket(deps: TicketUseCaseDeps) {
  return async function update(auth: AuthContext, ref: string, patch: TicketPatch, ifMatch?: string): Promise<Ticket> {
    const scope = scopeOf(auth);
    const assignee = patch.assignee_id?.toLowerCase();
    if (assignee && auth.isStaff && !(await deps.tickets(deps.db, scope).isActiveStaff(assignee))) {
      throw invalidField('assignee_id', 'must be an active SecureBase staff user');
    }
    const normalised: TicketPatch = { ...patch, assignee_id: assignee ?? patch.assignee_id };
    let wrote = false;
    const ticket = await withVersionRetry(deps.db, async (trx) => {
      const repo = deps.tickets(trx, scope);
      const current = await resolveTicket(repo, ref);
      if (ifMatch !== undefined && !etagMatches(ifMatch, current.version)) throw preconditionFailed(current);
      const now = deps.clock();
      const plan = planUpdate(current, normalised, audienceOf(auth), now, deps.reopenWindowMs);
      if (plan.changes.length === 0) return current;
      const iso = now.toISOString();
      const sla = await deps.planSla(trx, current, { ...current, ...plan.set }, now);
      const updated = await repo.update(current.id, current.version, {
        ...plan.set,
        ...sla.set,
        version: current.version + 1,
        updated_at: iso,
        last_activity_at: iso,
      });
      if (!updated) {
        if (ifMatch !== undefined) throw preconditionFailed(current);
        return STALE;
      }
      await repo.insertHistory(historyOf(updated, auth, plan.changes, now));
      await sla.record(updated);
      await emitChanges(deps.emitEvent, trx, updated, plan.changes, now, actorIdOf(auth));
      if (plan.set.status === 'resolved') await enqueueJob(trx, autoCloseJob(updated, deps.autoCloseMs), now);
      wrote = true;
      return updated;
    });
    if (wrote) deps.wakeWorkers();
    return ticket;
  };
}
