import type { Static } from 'typebox';
import type { Attachment } from './repository.ts';
import type { AttachmentView } from './schemas.ts';

/** An attachment (callers only pass attachments the reader may see). */
export function presentAttachment(attachment: Attachment): Static<typeof AttachmentView> {
  return {
    id: attachment.id,
    ticket_id: attachment.ticket_id,
    comment_id: attachment.comment_id,
    filename: attachment.filename,
    content_type: attachment.content_type,
    size_bytes: attachment.size_bytes,
    sha256: attachment.sha256,
    visibility: attachment.visibility,
    uploaded_by: attachment.uploaded_by,
    created_at: attachment.created_at,
    download_url: `/v1/support/tickets/${attachment.ticket_id}/attachments/${attachment.id}`,
  };
}

/** The attachments of each comment, from a ticket's (bounded) list, so a page of comments costs one query. */
export function attachmentsByComment(attachments: Attachment[]): Map<string, Attachment[]> {
  const byComment = new Map<string, Attachment[]>();
  for (const attachment of attachments) {
    if (attachment.comment_id === null) continue;
    const list = byComment.get(attachment.comment_id) ?? [];
    list.push(attachment);
    byComment.set(attachment.comment_id, list);
  }
  return byComment;
}
