/**
 * Support-desk rules (tickets.md, "Email"): the requester hears of their ticket's creation (number
 * and SLA target), every staff public reply and its resolution (with a CSAT link); staff hear of new
 * critical and high tickets, and an assignee of each customer reply. Ticket events carry the
 * customer view of the ticket, so nothing internal can reach a template. SLA warnings and breaches
 * go to the assignee, or to the whole queue while nobody is assigned (breaches always reach the
 * queue); an assignment tells the new assignee.
 */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { NOTIFICATION_PRIORITIES } from '../model.ts';
import type { NotificationPriority } from '../model.ts';
import { defineRule, excerpt, utcMinute } from './engine.ts';
import type { NotificationRule, Recipients } from './engine.ts';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** The fields of the ticket view the templates use. */
const Ticket = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  subject: Type.String(),
  description: Type.String(),
  priority: Type.String(),
  created_by: Type.String(),
  assignee_id: NullableString,
  sla_first_response_due_at: NullableString,
  sla_resolution_due_at: NullableString,
});
type TicketData = { ticket: Static<typeof Ticket> };

const TicketEvent = Type.Object({ ticket: Ticket });
const CommentEvent = Type.Object({
  ticket: Ticket,
  comment: Type.Object({
    author_id: Type.String(),
    author_role: Type.String(),
    body: Type.String(),
    visibility: Type.Literal('public'),
  }),
});
const ResolvedEvent = Type.Object({ ticket: Ticket, resolved_by: Type.Optional(Type.String()) });
const SlaEvent = Type.Object({
  ticket: Ticket,
  clock: Type.Union([Type.Literal('first_response'), Type.Literal('resolution')]),
  due_at: Type.String(),
});
const AssignedEvent = Type.Object({
  ticket: Ticket,
  assignee_id: NullableString,
  assigned_by: Type.Optional(NullableString),
});

const clockName = (clock: 'first_response' | 'resolution') =>
  clock === 'first_response' ? 'first response' : 'resolution';

/** Staff who work the queue. */
const QUEUE: Recipients = { kind: 'staff_roles', roles: ['agent', 'platform_admin'] };
const requester = (data: TicketData): Recipients => ({ kind: 'user', userId: data.ticket.created_by });
const assignee = (data: TicketData): Recipients | null =>
  data.ticket.assignee_id ? { kind: 'user', userId: data.ticket.assignee_id } : null;
/** The assignee, or the whole queue while nobody owns the ticket. */
const owner = (data: TicketData): Recipients => assignee(data) ?? QUEUE;

/** The ticket's page for its customer: numbers are unique within a tenant. */
const customerPage = (data: TicketData) => `/support/${data.ticket.reference}`;
/** The ticket's page for staff, by id: the same number exists in many tenants. */
const staffPage = (data: TicketData) => `/support/${data.ticket.id}`;
const thread = (data: TicketData) => `ticket:${data.ticket.id}`;
const heading = (data: TicketData) => `${data.ticket.reference}: ${excerpt(data.ticket.subject, 120)}`;

/** The ticket's own priority where it is one of ours (it always is), else medium. */
const ticketPriority = (data: TicketData): NotificationPriority =>
  (NOTIFICATION_PRIORITIES as readonly string[]).includes(data.ticket.priority)
    ? (data.ticket.priority as NotificationPriority)
    : 'medium';

function slaTarget(data: TicketData): string {
  const { sla_first_response_due_at: response, sla_resolution_due_at: resolution } = data.ticket;
  const parts = [
    response ? `first response by ${utcMinute(response)}` : null,
    resolution ? `resolution by ${utcMinute(resolution)}` : null,
  ].filter((part) => part !== null);
  return parts.length > 0 ? ` Our target: ${parts.join(', ')}.` : '';
}

export const ticketRules: readonly NotificationRule[] = [
  defineRule({
    name: 'ticket.created → staff (critical, high)',
    event: 'ticket.created',
    data: TicketEvent,
    when: (data) => data.ticket.priority === 'critical' || data.ticket.priority === 'high',
    type: 'support',
    priority: ticketPriority,
    recipients: [QUEUE],
    actor: (data) => data.ticket.created_by,
    title: (data) => `New ${data.ticket.priority} ticket ${heading(data)}`,
    body: (data) => excerpt(data.ticket.description, 280),
    actionUrl: staffPage,
    groupKey: thread,
  }),
  defineRule({
    name: 'ticket.created → requester (confirmation)',
    event: 'ticket.created',
    data: TicketEvent,
    type: 'support',
    priority: 'low',
    recipients: [requester],
    // A receipt: the requester is the one who acted, and is told on purpose.
    notifyActor: true,
    title: (data) => `We received ${heading(data)}`,
    body: (data) =>
      `Your ticket ${data.ticket.reference} is open with ${data.ticket.priority} priority.${slaTarget(data)}`,
    actionUrl: customerPage,
    groupKey: thread,
  }),
  defineRule({
    name: 'ticket.commented by staff → requester',
    event: 'ticket.commented',
    data: CommentEvent,
    when: (data) => data.comment.author_role === 'staff',
    type: 'support',
    priority: 'medium',
    recipients: [requester],
    actor: (data) => data.comment.author_id,
    title: (data) => `New reply on ${heading(data)}`,
    body: (data) => excerpt(data.comment.body, 280),
    actionUrl: customerPage,
    groupKey: thread,
  }),
  defineRule({
    name: 'ticket.commented by the customer → assignee',
    event: 'ticket.commented',
    data: CommentEvent,
    when: (data) => data.comment.author_role === 'customer' && data.ticket.assignee_id !== null,
    type: 'support',
    priority: ticketPriority,
    recipients: [assignee],
    actor: (data) => data.comment.author_id,
    title: (data) => `Customer replied on ${heading(data)}`,
    body: (data) => excerpt(data.comment.body, 280),
    actionUrl: staffPage,
    groupKey: thread,
  }),
  defineRule({
    name: 'ticket.resolved → requester (with CSAT link)',
    event: 'ticket.resolved',
    data: ResolvedEvent,
    type: 'support',
    priority: 'medium',
    recipients: [requester],
    actor: (data) => data.resolved_by,
    title: (data) => `Resolved: ${heading(data)}`,
    body: (data) =>
      `Your ticket ${data.ticket.reference} was resolved. How did we do? Rate the support you received; reply to reopen it if something is still wrong.`,
    actionUrl: (data) => `${customerPage(data)}?csat=1`,
    groupKey: thread,
  }),
  defineRule({
    name: 'ticket.sla_warning → assignee (else the queue)',
    event: 'ticket.sla_warning',
    data: SlaEvent,
    type: 'support',
    priority: 'high',
    recipients: [owner],
    title: (data) => `SLA at risk: ${clockName(data.clock)} on ${heading(data)}`,
    body: (data) =>
      `The ${clockName(data.clock)} target of ${data.ticket.reference} (${data.ticket.priority}) is due at ${utcMinute(data.due_at)}.`,
    actionUrl: staffPage,
    groupKey: thread,
  }),
  defineRule({
    name: 'ticket.sla_breached → assignee and the queue',
    event: 'ticket.sla_breached',
    data: SlaEvent,
    type: 'support',
    priority: 'critical',
    recipients: [QUEUE, assignee],
    title: (data) => `SLA breached: ${clockName(data.clock)} on ${heading(data)}`,
    body: (data) =>
      `The ${clockName(data.clock)} target of ${data.ticket.reference} (${data.ticket.priority}) was due at ${utcMinute(data.due_at)}.`,
    actionUrl: staffPage,
    groupKey: thread,
  }),
  defineRule({
    name: 'ticket.assigned → the new assignee',
    event: 'ticket.assigned',
    data: AssignedEvent,
    when: (data) => data.assignee_id !== null,
    type: 'support',
    priority: ticketPriority,
    recipients: [(data) => (data.assignee_id ? { kind: 'user', userId: data.assignee_id } : null)],
    actor: (data) => data.assigned_by,
    title: (data) => `Assigned to you: ${heading(data)}`,
    body: (data) => excerpt(data.ticket.description, 280),
    actionUrl: staffPage,
    groupKey: thread,
  }),
];
