/** The staff views of `GET /v1/support/tickets?view=` (src/tickets/fields.ts `VIEWS`). */
export const QUEUE_VIEWS = [
  { value: 'unassigned', label: 'Unassigned', empty: 'Every open ticket has an agent' },
  { value: 'mine', label: 'Mine', empty: 'No open tickets are assigned to you' },
  { value: 'at_risk', label: 'At risk', empty: 'No ticket is close to its SLA target' },
  { value: 'breached', label: 'Breached', empty: 'No open ticket has breached its SLA' },
  { value: 'all', label: 'All', empty: 'No tickets yet' },
] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number]['value'];

/** The view named in the address, unassigned (the work nobody has picked up) by default. */
export function viewOf(value: string | null): QueueView {
  return QUEUE_VIEWS.find((view) => view.value === value)?.value ?? 'unassigned';
}
