import type { Brand } from '../database/ids.ts';
import { uuidv7 } from '../database/ids.ts';

/** A ticket's UUID: not accepted where a comment, tenant or webhook id goes. */
export type TicketId = Brand<string, 'TicketId'>;
/** A comment's UUID. */
export type CommentId = Brand<string, 'CommentId'>;
/** A history entry's UUID. */
export type TicketHistoryId = Brand<string, 'TicketHistoryId'>;

/** An attachment's UUID; also the name of its file on disk. */
export type AttachmentId = Brand<string, 'AttachmentId'>;

/** A new, time-ordered ticket id. */
export const newTicketId = (now: Date): TicketId => uuidv7(now.getTime()) as TicketId;
/** A new, time-ordered comment id. */
export const newCommentId = (now: Date): CommentId => uuidv7(now.getTime()) as CommentId;
/** A new, time-ordered history entry id (entries of one change keep their order). */
export const newTicketHistoryId = (now: Date): TicketHistoryId => uuidv7(now.getTime()) as TicketHistoryId;
/** A new, time-ordered attachment id. */
export const newAttachmentId = (now: Date): AttachmentId => uuidv7(now.getTime()) as AttachmentId;
