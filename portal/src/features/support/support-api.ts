import { api, data } from '../../api/client.ts';
import type { ListFilters } from './list-query.ts';
import { apiQueryOf } from './list-query.ts';
import type { Attachment, TicketStatus } from './fields.ts';

export const PAGE_SIZE = 25;

/** Query keys: every support query starts with `support`, one ticket's with its route parameter. */
export const supportKeys = {
  all: ['support'] as const,
  lists: () => ['support', 'list'] as const,
  list: (filters: ListFilters, cursor: string | undefined) => ['support', 'list', filters, cursor] as const,
  ticket: (ref: string) => ['support', 'ticket', ref] as const,
  history: (ref: string) => ['support', 'ticket', ref, 'history'] as const,
  agents: () => ['support', 'agents'] as const,
};

export async function fetchTickets(filters: ListFilters, cursor: string | undefined) {
  return data(
    await api.GET('/v1/support/tickets', {
      params: { query: { ...apiQueryOf(filters), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

export async function fetchTicket(ref: string) {
  return data(await api.GET('/v1/support/tickets/{id}', { params: { path: { id: ref } } }));
}

/** The whole history (tickets have few changes; one page of 100 holds them in practice). */
export async function fetchHistory(ref: string) {
  return data(
    await api.GET('/v1/support/tickets/{id}/history', { params: { path: { id: ref }, query: { limit: 100 } } }),
  ).history;
}

export async function fetchAgents() {
  return data(await api.GET('/v1/support/agents')).agents;
}

export async function changeTicket(ref: string, change: { status?: TicketStatus; assignee_id?: string | null }) {
  return data(await api.PATCH('/v1/support/tickets/{id}', { params: { path: { id: ref } }, body: change }));
}

/**
 * Uploads one file as multipart/form-data (the field `file`, and `comment_id` to attach it to a
 * comment). The browser sets the multipart boundary itself.
 */
export async function uploadAttachment(ref: string, file: File, commentId?: string): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file);
  if (commentId) form.append('comment_id', commentId);
  return data(
    await api.POST('/v1/support/tickets/{id}/attachments', {
      params: { path: { id: ref } },
      // The typed body stands for the form's fields; the serializer sends the real FormData.
      body: { file: file.name, ...(commentId ? { comment_id: commentId } : {}) },
      bodySerializer: () => form,
    }),
  );
}

/** Uploads files one by one; the failures come back per file so the person sees which and why. */
export async function uploadAll(
  ref: string,
  files: readonly File[],
  commentId?: string,
): Promise<Array<{ file: File; error: unknown }>> {
  const failures: Array<{ file: File; error: unknown }> = [];
  for (const file of files) {
    try {
      await uploadAttachment(ref, file, commentId);
    } catch (error) {
      failures.push({ file, error });
    }
  }
  return failures;
}
