import type { Insertable, Selectable } from 'kysely';
import type { TenantScope } from '../../identity/auth-context.ts';
import { withinScope } from '../../identity/scope.ts';
import type { Executor } from '../../jobs/types.ts';
import type { AttachmentId, CommentId, TicketId } from '../ids.ts';
import type { TicketAttachmentsTable } from '../tables.ts';

/** A stored attachment row. */
export type Attachment = Selectable<TicketAttachmentsTable>;

/** The SQL of attachments for one tenant scope, bound like the ticket repository's. */
export function attachmentRepository(db: Executor, scope: TenantScope) {
  const visible = (includeInternal: boolean) => {
    const query = withinScope(db.selectFrom('ticket_attachments').selectAll(), scope, 'ticket_attachments.customer_id');
    return includeInternal ? query : query.where('ticket_attachments.visibility', '=', 'public');
  };

  return {
    async insert(row: Insertable<TicketAttachmentsTable>): Promise<void> {
      if (scope.customerId !== undefined && scope.customerId !== row.customer_id)
        throw new Error('row outside the bound tenant scope');
      await db.insertInto('ticket_attachments').values(row).execute();
    },

    /** How many attachments a ticket has (all of them: the per-ticket cap counts internal ones too). */
    async countForTicket(ticketId: TicketId): Promise<number> {
      const row = await withinScope(
        db.selectFrom('ticket_attachments').select((eb) => eb.fn.countAll<string | number>().as('n')),
        scope,
        'ticket_attachments.customer_id',
      )
        .where('ticket_attachments.ticket_id', '=', ticketId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Every attachment of a ticket the reader may see, oldest first (bounded by the per-ticket cap). */
    async listForTicket(ticketId: TicketId, includeInternal: boolean): Promise<Attachment[]> {
      return visible(includeInternal)
        .where('ticket_attachments.ticket_id', '=', ticketId)
        .orderBy('ticket_attachments.created_at')
        .orderBy('ticket_attachments.id')
        .execute();
    },

    /** One attachment of a ticket, if the reader may see it. */
    async find(ticketId: TicketId, id: AttachmentId, includeInternal: boolean): Promise<Attachment | undefined> {
      return visible(includeInternal)
        .where('ticket_attachments.ticket_id', '=', ticketId)
        .where('ticket_attachments.id', '=', id)
        .executeTakeFirst();
    },

    /** A comment of the ticket, for attaching a file to it. */
    async findComment(ticketId: TicketId, commentId: CommentId) {
      return withinScope(
        db.selectFrom('ticket_comments').select(['id', 'author_id', 'visibility']),
        scope,
        'ticket_comments.customer_id',
      )
        .where('ticket_comments.ticket_id', '=', ticketId)
        .where('ticket_comments.id', '=', commentId)
        .executeTakeFirst();
    },
  };
}

/** The tenant-bound attachment repository. */
export type AttachmentRepository = ReturnType<typeof attachmentRepository>;
