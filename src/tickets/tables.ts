import type { AttachmentId, CommentId, TicketHistoryId, TicketId } from './ids.ts';

export type TicketStatus = 'open' | 'in-progress' | 'waiting-customer' | 'resolved' | 'closed';
export type TicketPriority = 'low' | 'medium' | 'high' | 'critical';
export type TicketCategory = 'general' | 'billing' | 'technical' | 'feature-request' | 'security' | 'compliance';
export type SlaStatus = 'on_track' | 'at_risk' | 'breached' | 'met';

export interface TicketsTable {
  id: TicketId;
  customer_id: string;
  number: number;
  subject: string;
  description: string;
  priority: TicketPriority;
  category: TicketCategory;
  status: TicketStatus;
  created_by: string;
  assignee_id: string | null;
  /** JSON array of tags. */
  tags: string;
  created_at: string;
  updated_at: string;
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  last_activity_at: string;
  /** Public comments only: customers must not learn internal notes exist. */
  comment_count: number;
  internal_comment_count: number;
  sla_first_response_due_at: string | null;
  sla_resolution_due_at: string | null;
  sla_status: SlaStatus;
  /** The ticket this one follows up (a reply to a closed ticket). */
  follow_up_of: TicketId | null;
  /** Incremented on every change; the ETag. */
  version: number;
}

export interface TicketCommentsTable {
  id: CommentId;
  ticket_id: TicketId;
  customer_id: string;
  author_id: string;
  author_role: 'customer' | 'staff';
  body: string;
  visibility: 'public' | 'internal';
  created_at: string;
}

export interface TicketHistoryTable {
  id: TicketHistoryId;
  ticket_id: TicketId;
  customer_id: string;
  actor_id: string | null;
  actor_role: 'customer' | 'staff' | 'system';
  field: string;
  from_value: string | null;
  to_value: string | null;
  visibility: 'public' | 'internal';
  created_at: string;
}

/**
 * The search document of a ticket, written by triggers (migration 009). Only the column both
 * dialects share is declared: the rest (FTS5 rowid, tsvectors) is reached through `search.ts`.
 */
export interface TicketSearchDocsTable {
  ticket_id: TicketId;
  customer_id: string;
}

/** A stored file; on disk it is named by `id` alone, under the data directory. */
export interface TicketAttachmentsTable {
  id: AttachmentId;
  ticket_id: TicketId;
  customer_id: string;
  /** The comment it belongs to, or null for the ticket itself. */
  comment_id: CommentId | null;
  /** internal when it belongs to an internal note: customers never see it. */
  visibility: 'public' | 'internal';
  /** The client's file name, cleaned; only ever shown, never used as a path. */
  filename: string;
  /** Detected from the bytes, never taken from the client. */
  content_type: string;
  size_bytes: number;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
  uploaded_by: string;
  uploader_role: 'customer' | 'staff';
  created_at: string;
}

/** Files whose rows retention deleted, to unlink after the commit (again on the next sweep after a crash). */
export interface TicketAttachmentPurgesTable {
  attachment_id: AttachmentId;
  created_at: string;
}

export interface TicketTables {
  tickets: TicketsTable;
  ticket_comments: TicketCommentsTable;
  ticket_history: TicketHistoryTable;
  ticket_search_docs: TicketSearchDocsTable;
  ticket_attachments: TicketAttachmentsTable;
  ticket_attachment_purges: TicketAttachmentPurgesTable;
}
