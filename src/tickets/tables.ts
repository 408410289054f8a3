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
  /** Both SLA clocks as JSON (`SlaClocks`, src/tickets/sla/clocks.ts); null on tickets older than the engine. */
  sla_clocks: string | null;
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

/** One CSAT rating: at most one per resolution of a ticket (keyed by that resolution's `resolved_at`). */
export interface TicketSatisfactionTable {
  id: string;
  ticket_id: TicketId;
  customer_id: string;
  resolved_at: string;
  /** 1 (very unhappy) to 5 (very happy). */
  rating: number;
  comment: string | null;
  rated_by: string;
  /** The ticket's assignee at the rated resolution: the agent the rating counts for. */
  agent_id: string | null;
  created_at: string;
}

/** A staff user's desk settings: whether round-robin may hand them new tickets, and when it last did. */
export interface SupportAgentsTable {
  user_id: string;
  /** 0/1. */
  available: number;
  last_assigned_at: string | null;
  updated_at: string;
}

/** A business-hours calendar an admin defined (built-in ones apply until replaced). */
export interface SlaCalendarsTable {
  id: string;
  name: string;
  time_zone: string;
  /** 1: open 24/7. */
  always_open: number;
  /** JSON: weekday → [{start, end}] in minutes after local midnight. */
  hours: string;
  /** JSON array of YYYY-MM-DD. */
  holidays: string;
  updated_at: string;
}

/** A tier's SLA policy as an admin set it. */
export interface SlaPoliciesTable {
  tier: string;
  calendar_id: string;
  critical_calendar_id: string;
  warning_percent: number;
  /** JSON: priority → {first_response_minutes, resolution_minutes}. */
  targets: string;
  updated_at: string;
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
  ticket_satisfaction: TicketSatisfactionTable;
  support_agents: SupportAgentsTable;
  sla_calendars: SlaCalendarsTable;
  sla_policies: SlaPoliciesTable;
  ticket_search_docs: TicketSearchDocsTable;
  ticket_attachments: TicketAttachmentsTable;
  ticket_attachment_purges: TicketAttachmentPurgesTable;
}
