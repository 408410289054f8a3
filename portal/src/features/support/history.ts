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
  if (entry.field === 'follow_up') return `Follow-up ticket ${value(entry.to)} opened`;
  if (entry.field === 'assignee_id') return entry.to === null ? 'Unassigned' : `Assigned to ${value(entry.to)}`;
  const field = entry.field === 'tags' ? 'Tags' : entry.field[0]?.toUpperCase() + entry.field.slice(1);
  return `${field}: ${value(entry.from)} → ${value(entry.to)}`;
}
