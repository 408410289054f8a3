import { Type } from 'typebox';
import { NullableString, NullableTimestamp, Timestamp } from '../http/schema-types.ts';
import type { Static } from 'typebox';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { CATEGORIES, LIMITS, PRIORITIES, SORTS, STATUSES } from './fields.ts';
import { FollowUpView, SatisfactionView, ViewQuery } from './desk/schemas.ts';
import { AttachmentView } from './attachments/schemas.ts';

const Uuid = (description: string) =>
  Type.String({ format: 'uuid', description, examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'] });

/** Ticket priority. */
export const Priority = Type.Enum(PRIORITIES, {
  description: 'low, medium (default), high or critical',
  examples: ['high'],
});
/** Ticket category. */
export const Category = Type.Enum(CATEGORIES, {
  description: 'general (default), billing, technical, feature-request, security or compliance',
  examples: ['billing'],
});
/** Ticket status (see the state machine in tickets.md). */
export const Status = Type.Enum(STATUSES, {
  description: 'open, in-progress, waiting-customer, resolved or closed',
  examples: ['open'],
});
/** Comment visibility. */
export const Visibility = Type.Enum(['public', 'internal'], {
  description: 'public, or internal (staff-only note, never shown to customers)',
  examples: ['public'],
});

const Tags = Type.Array(
  Type.String({ minLength: 1, maxLength: LIMITS.tag.max, description: 'A short label', examples: ['login'] }),
  {
    maxItems: LIMITS.tags.max,
    description: `Up to ${LIMITS.tags.max} labels of at most ${LIMITS.tag.max} characters; duplicates are dropped`,
    examples: [['login', 'sso']],
  },
);

/** Body of `POST /support/tickets`. Lengths are re-checked after trimming. */
export const CreateTicketBody = Type.Object(
  {
    subject: Type.String({
      minLength: LIMITS.subject.min,
      maxLength: LIMITS.subject.max,
      description: `${LIMITS.subject.min}–${LIMITS.subject.max} characters; stored trimmed, and still at least ${LIMITS.subject.min} after trimming`,
      examples: ['Cannot log in with SSO'],
    }),
    description: Type.String({
      minLength: LIMITS.description.min,
      maxLength: LIMITS.description.max,
      description: `${LIMITS.description.min}–${LIMITS.description.max} characters, Markdown`,
      examples: ['Since this morning our SSO login fails with error 500 for every user.'],
    }),
    priority: Type.Optional(Priority),
    category: Type.Optional(Category),
    tags: Type.Optional(Tags),
    customer_id: Type.Optional(
      Uuid('Staff only: the tenant the ticket is for (customers always create in their own tenant)'),
    ),
  },
  { additionalProperties: false },
);
/** Parsed create body. */
export type CreateTicketBody = Static<typeof CreateTicketBody>;

/** Body of `PATCH`/`PUT /support/tickets/{id}`: only the fields to change. */
export const UpdateTicketBody = Type.Object(
  {
    status: Type.Optional(Status),
    priority: Type.Optional(Priority),
    category: Type.Optional(Category),
    assignee_id: Type.Optional(
      Type.Union([Uuid('Staff only: the staff user to assign'), Type.Null()], {
        description: 'Staff only: a staff user id, or null to unassign',
        examples: [null],
      }),
    ),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false, minProperties: 1 },
);
/** Parsed update body. */
export type UpdateTicketBody = Static<typeof UpdateTicketBody>;

/** Body of `POST /support/tickets/{id}/comments`: exactly one of `body` and its older name `text`. */
export const CreateCommentBody = Type.Object(
  {
    body: Type.Optional(
      Type.String({
        minLength: LIMITS.comment.min,
        maxLength: LIMITS.comment.max,
        description: `${LIMITS.comment.min}–${LIMITS.comment.max} characters, Markdown`,
        examples: ['We have rolled out a fix, please try again.'],
      }),
    ),
    text: Type.Optional(
      Type.String({
        minLength: LIMITS.comment.min,
        maxLength: LIMITS.comment.max,
        description: 'The older name of `body`, still accepted (give one of the two)',
        examples: ['Still failing for me.'],
      }),
    ),
    visibility: Type.Optional(Visibility),
  },
  { additionalProperties: false },
);
/** Parsed comment body. */
export type CreateCommentBody = Static<typeof CreateCommentBody>;

/** `{id}` of the ticket routes: a UUID, a reference such as `SB-1042`, or the number `1042`. */
export const TicketParams = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'Ticket id (UUID), reference (`SB-1042`) or number (`1042`)',
    examples: ['SB-1042'],
  }),
});

/** Query of `GET /support/tickets/{id}`. */
export const GetTicketQuery = Type.Object(
  { customer_id: Type.Optional(Uuid('Staff only: the tenant, to look a ticket up by number')) },
  { additionalProperties: false },
);

/** Query of `GET /support/tickets`. */
export const ListTicketsQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), {
        maxItems: 5,
        description: 'One or several statuses, repeated (`status=open&status=resolved`) or comma-separated',
        examples: [['open', 'in-progress']],
      }),
    ),
    priority: Type.Optional(Priority),
    category: Type.Optional(Category),
    assignee: Type.Optional(
      Type.String({ maxLength: 100, description: '`me`, `none`, or a staff user id', examples: ['me'] }),
    ),
    customer_id: Type.Optional(Uuid('Staff only: one tenant')),
    created_after: Type.Optional(Timestamp('Only tickets created at or after this time')),
    created_before: Type.Optional(Timestamp('Only tickets created before this time')),
    sort: Type.Optional(
      Type.Enum([...SORTS, 'relevance'], {
        description:
          'Order; a leading `-` sorts descending. Default: `relevance` (best match first) with `q`, else `-created_at`',
        examples: ['-created_at'],
      }),
    ),
    ...ViewQuery,
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Full-text search over subject, description and public comments (staff: internal notes too). Every word must match; `"quoted words"` match as a phrase; `word*` matches a prefix. Other punctuation separates words.',
        examples: ['sso "error 500"'],
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);
/** Parsed list query. */
export type ListTicketsQuery = Static<typeof ListTicketsQuery>;

/** Query of the comment and history lists. */
export const PageOnlyQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

/** A comment as its reader may see it. */
export const CommentView = Type.Object({
  id: Uuid('Comment id'),
  ticket_id: Uuid('The ticket'),
  author_id: Type.String({
    description: 'The user who wrote it (or the API key id for keys without a user)',
    examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'],
  }),
  author_role: Type.Enum(['customer', 'staff'], { description: 'customer or staff', examples: ['staff'] }),
  body: Type.String({ description: 'Markdown text', examples: ['We have rolled out a fix.'] }),
  visibility: Visibility,
  created_at: Timestamp('When it was written'),
  attachments: Type.Array(AttachmentView, { description: 'Files attached to this comment, oldest first' }),
});

/** A ticket as its reader may see it; `internal_comment_count` only for staff. */
export const TicketView = Type.Object({
  id: Uuid('Ticket id'),
  number: Type.Integer({ description: 'Per-tenant sequence number', examples: [1042] }),
  reference: Type.String({ description: 'Display reference', examples: ['SB-1042'] }),
  customer_id: Uuid('The tenant'),
  subject: Type.String({ description: 'Trimmed subject', examples: ['Cannot log in with SSO'] }),
  description: Type.String({
    description: 'Markdown description',
    examples: ['Since this morning our SSO login fails for every user.'],
  }),
  priority: Priority,
  category: Category,
  status: Status,
  created_by: Type.String({
    description: 'The user who opened it (or the API key id for keys without a user)',
    examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'],
  }),
  assignee_id: NullableString('Assigned staff user, or null', { examples: [null] }),
  tags: Type.Array(Type.String(), { description: 'Labels', examples: [['login']] }),
  created_at: Timestamp('When it was opened'),
  updated_at: Timestamp('Last change'),
  first_response_at: NullableTimestamp('First public staff reply'),
  resolved_at: NullableTimestamp('When it was resolved (null when reopened)'),
  closed_at: NullableTimestamp('When it was closed'),
  last_activity_at: Timestamp('Last change or public comment'),
  comment_count: Type.Integer({ description: 'Public comments', examples: [3] }),
  internal_comment_count: Type.Optional(Type.Integer({ description: 'Staff only: internal notes', examples: [1] })),
  sla_status: Type.Enum(['on_track', 'at_risk', 'breached', 'met'], {
    description: 'SLA state',
    examples: ['on_track'],
  }),
  sla_first_response_due_at: NullableTimestamp('First-response target'),
  sla_resolution_due_at: NullableTimestamp('Resolution target'),
  sla_due_date: NullableTimestamp('The next due time still running: first response, then resolution; null when none'),
  follow_up_of: NullableString('The closed ticket this one follows up', { examples: [null] }),
  version: Type.Integer({ description: 'Changes with every update; also the ETag', examples: [3] }),
});

/** `GET /support/tickets/{id}`: the ticket with its comments (public; staff also internal). */
export const TicketWithComments = Type.Object({
  ...TicketView.properties,
  comments: Type.Array(CommentView, {
    description: 'Oldest first, at most the first 200 (page through /comments for more)',
  }),
  follow_ups: Type.Array(FollowUpView, {
    description: 'Tickets opened by customer replies after this one closed (each has `follow_up_of` = this id)',
  }),
  satisfaction: Type.Array(SatisfactionView, { description: 'CSAT ratings, one per resolution, oldest first' }),
  attachments: Type.Array(AttachmentView, {
    description: 'Every file of the ticket and its comments you may see, oldest first',
  }),
});

/** One immutable history entry; values are the field's JSON values. */
export const HistoryView = Type.Object({
  id: Uuid('Entry id'),
  ticket_id: Uuid('The ticket'),
  field: Type.String({
    description:
      'status, priority, category, assignee_id, tags, or follow_up (a follow-up ticket was opened: `to` is its reference)',
    examples: ['status'],
  }),
  from: Type.Unknown({ description: 'Value before', examples: ['open'] }),
  to: Type.Unknown({ description: 'Value after', examples: ['resolved'] }),
  actor_id: NullableString('Who changed it (null for the system)', { examples: [null] }),
  actor_role: Type.Enum(['customer', 'staff', 'system'], {
    description: 'customer, staff or system',
    examples: ['staff'],
  }),
  visibility: Visibility,
  created_at: Timestamp('When'),
});

/** The list envelopes of api.md. */
export const TicketPage = PageOf('tickets', TicketView);
export const CommentPage = PageOf('comments', CommentView);
export const HistoryPage = PageOf('history', HistoryView);
