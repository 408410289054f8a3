import { categoryLabel, CATEGORIES, PRIORITIES, priorityLabel, STATUSES, statusLabel } from './fields.ts';
import type { HistoryEntry, TicketCategory, TicketPriority, TicketStatus } from './fields.ts';

/** One change in words: "Status: Open → Resolved". */
export function describeChange(entry: HistoryEntry, nameOf: (userId: string | null) => string): string {
  const value = (raw: unknown): string => {
    if (raw === null || raw === undefined || raw === '') return 'none';
    if (entry.field === 'status' && STATUSES.includes(raw as TicketStatus)) return statusLabel(raw as TicketStatus);
    if (entry.field === 'priority' && PRIORITIES.includes(raw as TicketPriority))
      return priorityLabel(raw as TicketPriority);
    if (entry.field === 'category' && CATEGORIES.includes(raw as TicketCategory))
      return categoryLabel(raw as TicketCategory);
    if (entry.field === 'assignee_id') return typeof raw === 'string' ? nameOf(raw) : 'nobody';
    if (Array.isArray(raw)) return raw.length > 0 ? raw.join(', ') : 'none';
    return String(raw);
  };
  if (entry.field === 'sla') return slaEventText(entry.to);
  if (entry.field === 'status' && (entry.from === null || entry.from === undefined)) return 'Ticket opened';
  if (entry.field === 'follow_up') return `Follow-up ticket ${value(entry.to)} opened`;
  if (entry.field === 'assignee_id') {
    if (entry.to === null) return 'Unassigned';
    const name = value(entry.to);
    return `Assigned to ${name === 'You' ? 'you' : name}`;
  }
  const field = entry.field === 'tags' ? 'Tags' : entry.field[0]?.toUpperCase() + entry.field.slice(1);
  return `${field}: ${value(entry.from)} → ${value(entry.to)}`;
}

const SLA_EVENTS: Record<string, string> = {
  applied: 'target set',
  paused: 'paused while waiting on the customer',
  resumed: 'running again',
  warning: 'at risk',
  breached: 'breached',
  met: 'met',
};

/** An SLA log entry (`to` holds the clock's event, src/tickets/sla/clocks.ts `SlaEvent`). */
function slaEventText(event: unknown): string {
  if (typeof event !== 'object' || event === null) return 'SLA changed';
  const { event: kind, clock } = event as { event?: unknown; clock?: unknown };
  const name = clock === 'first_response' ? 'First response' : clock === 'resolution' ? 'Resolution' : 'SLA';
  const what = typeof kind === 'string' ? SLA_EVENTS[kind] : undefined;
  return `${name} SLA ${what ?? 'changed'}`;
}
