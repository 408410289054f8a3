/** Field limits of tickets.md, shared by the schemas and the use cases' trimmed-length checks. */
export const LIMITS = {
  subject: { min: 5, max: 200 },
  description: { min: 20, max: 20_000 },
  comment: { min: 1, max: 20_000 },
  tag: { max: 50 },
  tags: { max: 20 },
} as const;

/** Allowed values of the enums of tickets.md, shared by schemas and rules. */
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const CATEGORIES = ['general', 'billing', 'technical', 'feature-request', 'security', 'compliance'] as const;
export const STATUSES = ['open', 'in-progress', 'waiting-customer', 'resolved', 'closed'] as const;
/** The staff views of the ticket list (`view`). */
export const VIEWS = ['all', 'unassigned', 'mine', 'at_risk', 'breached'] as const;
export type TicketListView = (typeof VIEWS)[number];
/** Orders of the ticket list; a leading `-` is descending. */
export const SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at', 'priority', '-priority'] as const;
