import type { operations } from '../../api/client.ts';

type Json<Op, Status extends number> = Op extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** A ticket as the list answers it. */
export type Ticket = Json<operations['getSupportTickets'], 200>['tickets'][number];
/** A ticket with its comments, ratings and files (`GET /v1/support/tickets/{id}`). */
export type TicketDetail = Json<operations['getSupportTicketsById'], 200>;
export type Attachment = TicketDetail['attachments'][number];
export type Rating = TicketDetail['satisfaction'][number];
export type HistoryEntry = Json<operations['getSupportTicketsByIdHistory'], 200>['history'][number];
export type Agent = Json<operations['listAgents'], 200>['agents'][number];

export type TicketStatus = Ticket['status'];
export type TicketPriority = Ticket['priority'];
export type TicketCategory = Ticket['category'];

// The enums of src/tickets/fields.ts, in the order the server lists them.
export const STATUSES: readonly TicketStatus[] = ['open', 'in-progress', 'waiting-customer', 'resolved', 'closed'];
export const PRIORITIES: readonly TicketPriority[] = ['low', 'medium', 'high', 'critical'];
export const CATEGORIES: readonly TicketCategory[] = [
  'general',
  'billing',
  'technical',
  'feature-request',
  'security',
  'compliance',
];

const STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'Open',
  'in-progress': 'In progress',
  'waiting-customer': 'Waiting on customer',
  resolved: 'Resolved',
  closed: 'Closed',
};
const CATEGORY_LABELS: Record<TicketCategory, string> = {
  general: 'General',
  billing: 'Billing',
  technical: 'Technical',
  'feature-request': 'Feature request',
  security: 'Security',
  compliance: 'Compliance',
};

export const statusLabel = (status: TicketStatus): string => STATUS_LABELS[status];
export const categoryLabel = (category: TicketCategory): string => CATEGORY_LABELS[category];
export const priorityLabel = (priority: TicketPriority): string => priority[0]?.toUpperCase() + priority.slice(1);

/** Badge classes: the colour says how urgent or how finished a ticket is. */
export function statusBadgeClass(status: TicketStatus): string {
  if (status === 'resolved' || status === 'closed') return 'badge badge-success';
  if (status === 'waiting-customer') return 'badge badge-warning';
  return 'badge badge-info';
}
export function priorityBadgeClass(priority: TicketPriority): string {
  if (priority === 'critical') return 'badge badge-danger';
  if (priority === 'high') return 'badge badge-warning';
  return 'badge';
}

/**
 * The portal path of a ticket: customers by reference (numbers are unique within a tenant), staff
 * by id (the same number exists in every tenant). The same forms the notifications' `action_url` use.
 */
export function ticketPath(ticket: Pick<Ticket, 'id' | 'reference'>, isStaff: boolean): string {
  return `/support/${isStaff ? ticket.id : ticket.reference}`;
}
