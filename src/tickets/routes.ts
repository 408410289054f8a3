import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { emitEvent } from '../events/outbox.ts';
import type { AppContext } from '../runtime/context.ts';
import { listEnvelope } from '../http/pagination.ts';
import { authOf } from '../identity/authenticate.ts';
import type { AuthContext } from '../identity/auth-context.ts';
import { presentComment, presentHistory, presentTicket, ticketEtag, ticketReference } from './presenter.ts';
import { ticketRepository } from './repository.ts';
import { planSla } from './sla-engine.ts';
import type { Ticket, TicketComment } from './repository.ts';
import {
  CommentPage,
  CommentView,
  CreateCommentBody,
  CreateTicketBody,
  GetTicketQuery,
  HistoryPage,
  ListTicketsQuery,
  PageOnlyQuery,
  TicketPage,
  TicketParams,
  TicketView,
  TicketWithComments,
  UpdateTicketBody,
} from './schemas.ts';
import { agentRepository, satisfactionRepository } from './desk-repository.ts';
import { DAY_MS } from './lifecycle.ts';
import { presentSatisfaction } from './desk/presenter.ts';
import { registerDeskRoutes } from './desk/routes.ts';
import { createTicketService } from './service.ts';
import { audienceOf } from './use-cases/deps.ts';
import { attachmentsByComment, presentAttachment } from './attachments/presenter.ts';
import { attachmentRepository } from './attachments/repository.ts';
import { attachmentRoutes } from './attachments/routes.ts';
import { attachmentService, DEFAULT_MAX_ATTACHMENTS_PER_TICKET } from './attachments/service.ts';
import { attachmentStore } from './attachments/store.ts';

const TAGS = ['tickets'];
const withEtag = (reply: FastifyReply, ticket: Ticket, auth: AuthContext) =>
  reply.header('etag', ticketEtag(ticket, audienceOf(auth)));
const ifMatchOf = (header: string | string[] | undefined) => (Array.isArray(header) ? header.join(',') : header);

/**
 * The support-ticket API of tickets.md: create (and its older `/create` alias), list, get by id
 * or number, PATCH/PUT, comments and history. Thin: schema → permission → one service call → view.
 */
export function ticketRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const tickets = createTicketService({
    db: ctx.database.db,
    tickets: ticketRepository,
    emitEvent,
    clock: ctx.clock,
    wakeWorkers: () => ctx.wakeWorkers(),
    // A resolved ticket reopens on a reply until it closes by itself; after that, replies open follow-ups.
    reopenWindowMs: ctx.config.ticketAutoCloseDays * DAY_MS,
    autoCloseMs: ctx.config.ticketAutoCloseDays * DAY_MS,
    satisfaction: satisfactionRepository,
    agents: agentRepository,
    roundRobin: ctx.config.ticketRoundRobin,
    planSla,
  });
  const store = attachmentStore(ctx.config.dataDir);
  const attachments = attachmentService({
    db: ctx.database.db,
    tickets: ticketRepository,
    attachments: attachmentRepository,
    store,
    clock: ctx.clock,
    maxPerTicket: DEFAULT_MAX_ATTACHMENTS_PER_TICKET,
  });
  /** Comments with their files, from the ticket's (bounded) attachment list: one query per page. */
  const withAttachments = async (auth: AuthContext, ticket: Ticket, comments: TicketComment[]) => {
    const files = await attachments.listFor(auth, ticket);
    const byComment = attachmentsByComment(files);
    return {
      files: files.map(presentAttachment),
      comments: comments.map((c) => ({
        ...presentComment(c),
        attachments: (byComment.get(c.id) ?? []).map(presentAttachment),
      })),
    };
  };

  return async (app) => {
    await app.register(attachmentRoutes(attachments, store, ctx.config.attachmentMaxBytes));

    for (const url of ['/support/tickets', '/support/tickets/create']) {
      app.post(
        url,
        {
          schema: {
            tags: TAGS,
            summary: url.endsWith('/create')
              ? 'Open a ticket (alias of POST /support/tickets, kept for older clients)'
              : 'Open a ticket',
            body: CreateTicketBody,
            response: { 201: TicketView },
          },
          config: { permission: 'tickets:write' },
        },
        async (request, reply) => {
          const auth = authOf(request);
          const ticket = await tickets.create(auth, request.body);
          return withEtag(reply, ticket, auth)
            .code(201)
            .send(presentTicket(ticket, audienceOf(auth)));
        },
      );
    }

    app.get(
      '/support/tickets',
      {
        schema: {
          tags: TAGS,
          summary: 'List tickets (filters, sort, cursor pagination)',
          querystring: ListTicketsQuery,
          response: { 200: TicketPage },
        },
        config: { permission: 'tickets:read' },
      },
      async (request) => {
        const auth = authOf(request);
        const page = await tickets.list(auth, request.query);
        return listEnvelope('tickets', page, (t) => presentTicket(t, audienceOf(auth)));
      },
    );

    app.get(
      '/support/tickets/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Get a ticket by id or number, with its comments',
          params: TicketParams,
          querystring: GetTicketQuery,
          response: { 200: TicketWithComments },
        },
        config: { permission: 'tickets:read' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const { ticket, comments, followUps, satisfaction } = await tickets.get(
          auth,
          request.params.id,
          request.query.customer_id,
        );
        const shown = await withAttachments(auth, ticket, comments);
        // Files and ratings change the view without a new version: drop the ETag rather than let a
        // 304 hide them.
        if (shown.files.length === 0 && satisfaction.length === 0) withEtag(reply, ticket, auth);
        return {
          ...presentTicket(ticket, audienceOf(auth)),
          comments: shown.comments,
          attachments: shown.files,
          follow_ups: followUps.map((f) => ({ ...f, reference: ticketReference(f.number) })),
          satisfaction: satisfaction.map(presentSatisfaction),
        };
      },
    );

    for (const method of ['patch', 'put'] as const) {
      app[method](
        '/support/tickets/:id',
        {
          schema: {
            tags: TAGS,
            summary:
              method === 'patch'
                ? 'Change status, priority, category, assignee or tags'
                : 'Same as PATCH (kept for older clients)',
            params: TicketParams,
            body: UpdateTicketBody,
            response: { 200: TicketView },
          },
          config: { permission: 'tickets:write' },
        },
        async (request, reply) => {
          const auth = authOf(request);
          const ticket = await tickets.update(
            auth,
            request.params.id,
            request.body,
            ifMatchOf(request.headers['if-match']),
          );
          return withEtag(reply, ticket, auth).send(presentTicket(ticket, audienceOf(auth)));
        },
      );
    }

    app.post(
      '/support/tickets/:id/comments',
      {
        schema: {
          tags: TAGS,
          summary: 'Comment on a ticket (staff may write internal notes)',
          params: TicketParams,
          body: CreateCommentBody,
          response: { 201: CommentView },
        },
        config: { permission: 'tickets:write' },
      },
      async (request, reply) => {
        const comment = await tickets.addComment(authOf(request), request.params.id, request.body);
        return reply.code(201).send({ ...presentComment(comment), attachments: [] });
      },
    );

    app.get(
      '/support/tickets/:id/comments',
      {
        schema: {
          tags: TAGS,
          summary: 'List comments, oldest first',
          params: TicketParams,
          querystring: PageOnlyQuery,
          response: { 200: CommentPage },
        },
        config: { permission: 'tickets:read' },
      },
      async (request) => {
        const auth = authOf(request);
        const { ticket, page } = await tickets.listComments(auth, request.params.id, request.query);
        const shown = await withAttachments(auth, ticket, page.items);
        return { comments: shown.comments, next_cursor: page.next_cursor, has_more: page.has_more };
      },
    );

    app.get(
      '/support/tickets/:id/history',
      {
        schema: {
          tags: TAGS,
          summary: 'List the change history, oldest first',
          params: TicketParams,
          querystring: PageOnlyQuery,
          response: { 200: HistoryPage },
        },
        config: { permission: 'tickets:read' },
      },
      async (request) => {
        const page = await tickets.listHistory(authOf(request), request.params.id, request.query);
        return listEnvelope('history', page, presentHistory);
      },
    );

    registerDeskRoutes(app, tickets);
  };
}
