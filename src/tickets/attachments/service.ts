import type { ReadStream } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Clock } from '../../config/clock.ts';
import { isUuid } from '../../database/ids.ts';
import type { Database } from '../../database/schema.ts';
import { AppError, invalidField, notFound } from '../../errors/app-error.ts';
import { scopeOf } from '../../identity/auth-context.ts';
import type { AuthContext, TenantScope } from '../../identity/auth-context.ts';
import type { Executor } from '../../jobs/types.ts';
import { newAttachmentId } from '../ids.ts';
import type { AttachmentId, CommentId } from '../ids.ts';
import { ticketReference } from '../presenter.ts';
import type { Ticket, TicketRepositoryFactory } from '../repository.ts';
import { actorIdOf, audienceOf } from '../use-cases/deps.ts';
import { readScope, resolveTicket } from '../use-cases/resolve-ticket.ts';
import { cleanFilename, decideContentType } from './content-type.ts';
import type { Attachment, AttachmentRepository } from './repository.ts';
import type { AttachmentStore, ReceivedFile } from './store.ts';

/** What the attachment use cases are built from. */
export interface AttachmentDeps {
  db: Kysely<Database>;
  tickets: TicketRepositoryFactory;
  attachments: (db: Executor, scope: TenantScope) => AttachmentRepository;
  store: AttachmentStore;
  clock: Clock;
  /** Files per ticket, internal ones included. */
  maxPerTicket: number;
}

/** An upload as the HTTP edge hands it over: the received bytes and what the client said about them. */
export interface UploadInput {
  file: ReceivedFile;
  filename: string | undefined;
  mimetype: string;
  commentId: string | undefined;
}

/** Files per ticket unless configured otherwise: enough for any conversation, and the ticket view lists them all. */
export const DEFAULT_MAX_ATTACHMENTS_PER_TICKET = 100;

function closedTakesNoFiles(ticket: Ticket): AppError {
  return new AppError('conflict', `Ticket ${ticketReference(ticket.number)} is closed and takes no more files`, {
    extra: { current_status: 'closed' },
  });
}

/**
 * Attachments of tickets and comments: who may add one (anyone who may comment, to the ticket
 * or to a comment of their own, not on a closed ticket), what is accepted (content type from the
 * bytes, see content-type.ts; never empty), and who may read one (whoever may read the ticket;
 * files of internal notes only staff). The file is moved into place before its row commits and
 * removed again if the commit fails, so a committed row always has its file.
 */
export function attachmentService(deps: AttachmentDeps) {
  /** The ticket an upload goes to, for the caller; 404 and 409 before any byte is stored. */
  async function writableTicket(db: Executor, auth: AuthContext, ref: string): Promise<Ticket> {
    const ticket = await resolveTicket(deps.tickets(db, scopeOf(auth)), ref);
    if (ticket.status === 'closed') throw closedTakesNoFiles(ticket);
    return ticket;
  }

  return {
    /** Refuses an upload early (unknown ticket, another tenant's, closed) so its body is never stored. */
    async checkWritable(auth: AuthContext, ref: string): Promise<void> {
      await writableTicket(deps.db, auth, ref);
    },

    /** Accepts a received file as an attachment, or discards it and says why. */
    async add(auth: AuthContext, ref: string, input: UploadInput): Promise<Attachment> {
      const { file } = input;
      const commentId = input.commentId;
      const filename = cleanFilename(input.filename);
      try {
        if (commentId !== undefined && !isUuid(commentId))
          throw invalidField('comment_id', 'must be the id of a comment you wrote on this ticket');
        if (file.sizeBytes === 0) throw invalidField('file', 'is empty');
        const decision = decideContentType(file.sniffed, { filename, mimetype: input.mimetype });
        if (!decision.accepted) {
          throw new AppError('unsupported_media_type', `The file is not accepted: ${decision.reason}`, {
            errors: [{ field: 'file', message: decision.reason }],
          });
        }
        const now = deps.clock();
        const id = newAttachmentId(now);
        await deps.store.keep(file, id);
        try {
          return await deps.db.transaction().execute(async (trx) => {
            const ticket = await writableTicket(trx, auth, ref);
            const attachments = deps.attachments(trx, scopeOf(auth, ticket.customer_id));
            if ((await attachments.countForTicket(ticket.id)) >= deps.maxPerTicket) {
              throw new AppError('conflict', `A ticket takes at most ${deps.maxPerTicket} files`, {
                extra: { max_attachments: deps.maxPerTicket },
              });
            }
            let visibility: Attachment['visibility'] = 'public';
            if (commentId !== undefined) {
              const comment = await attachments.findComment(ticket.id, commentId.toLowerCase() as CommentId);
              if (!comment || comment.author_id !== actorIdOf(auth))
                throw invalidField('comment_id', 'must be the id of a comment you wrote on this ticket');
              visibility = comment.visibility;
            }
            const row: Attachment = {
              id,
              ticket_id: ticket.id,
              customer_id: ticket.customer_id,
              comment_id: commentId === undefined ? null : (commentId.toLowerCase() as CommentId),
              visibility,
              filename,
              content_type: decision.contentType,
              size_bytes: file.sizeBytes,
              sha256: file.sha256,
              uploaded_by: actorIdOf(auth),
              uploader_role: audienceOf(auth),
              created_at: now.toISOString(),
            };
            await attachments.insert(row);
            return row;
          });
        } catch (error) {
          await deps.store.remove(id);
          throw error;
        }
      } finally {
        await deps.store.discard(file);
      }
    },

    /** The attachments of a ticket already resolved for the caller, as the caller may see them. */
    async listFor(auth: AuthContext, ticket: Ticket): Promise<Attachment[]> {
      return deps.attachments(deps.db, scopeOf(auth, ticket.customer_id)).listForTicket(ticket.id, auth.isStaff);
    },

    /** An attachment and its bytes, with the ticket's read rights; 404 alike for missing, foreign and hidden. */
    async download(
      auth: AuthContext,
      ref: string,
      attachmentId: string,
    ): Promise<{ attachment: Attachment; bytes: ReadStream }> {
      const scope = readScope(auth, undefined);
      const ticket = await resolveTicket(deps.tickets(deps.db, scope), ref);
      if (!isUuid(attachmentId)) throw notFound('Attachment');
      const attachment = await deps
        .attachments(deps.db, scope)
        .find(ticket.id, attachmentId.toLowerCase() as AttachmentId, auth.isStaff);
      if (!attachment) throw notFound('Attachment');
      const bytes = await deps.store.read(attachment.id);
      if (!bytes) throw notFound('Attachment');
      return { attachment, bytes };
    },
  };
}

/** The attachment service as routes receive it. */
export type AttachmentService = ReturnType<typeof attachmentService>;
