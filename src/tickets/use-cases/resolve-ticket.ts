import { isUuid } from '../../database/ids.ts';
import { invalidField, notFound } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext, TenantScope } from '../../identity/auth-context.ts';
import type { TicketId } from '../ids.ts';
import type { Ticket, TicketLookup, TicketRepository } from '../repository.ts';

/** Parses `{id}`: a UUID, `SB-1042` or `1042`; null when it can be none of them (→ 404). */
export function parseTicketRef(raw: string): TicketLookup | null {
  if (isUuid(raw)) return { id: raw.toLowerCase() as TicketId };
  const match = /^(?:SB-)?(\d{1,9})$/i.exec(raw.trim());
  return match ? { number: Number(match[1]) } : null;
}

/** The ticket `ref` names within the repository's scope; 404 when there is none (or another tenant's). */
export async function resolveTicket(repo: TicketRepository, ref: string): Promise<Ticket> {
  const lookup = parseTicketRef(ref);
  if (!lookup) throw notFound('Ticket');
  const rows = await repo.find(lookup);
  if (rows.length > 1)
    throw invalidField('id', 'matches tickets of several tenants; use the ticket UUID (or customer_id on GET)');
  const ticket = rows[0];
  if (!ticket) throw notFound('Ticket');
  return ticket;
}

/** The scope of a read: customers their tenant; staff every tenant, or the one they filter on. */
export function readScope(auth: AuthContext, customerId: string | undefined): TenantScope {
  if (customerId !== undefined && !auth.isStaff && customerId.toLowerCase() !== auth.customerId) {
    throw invalidField('customer_id', 'is a staff-only filter');
  }
  return scopeOf(auth, customerId?.toLowerCase());
}
