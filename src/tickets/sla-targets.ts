// Targets are per tier × priority in business time now: see sla/policy.ts and sla-engine.ts.
/**
 * The seed's `sla_due_date`: the next clock that is still running — first response until staff
 * have replied publicly, then resolution until the ticket is resolved or closed; else null.
 */
export function nextSlaDue(ticket: {
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  sla_first_response_due_at: string | null;
  sla_resolution_due_at: string | null;
}): string | null {
  if (ticket.resolved_at || ticket.closed_at) return null;
  if (!ticket.first_response_at) return ticket.sla_first_response_due_at;
  return ticket.sla_resolution_due_at;
}
