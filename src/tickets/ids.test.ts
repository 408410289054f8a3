import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUuid } from '../database/ids.ts';
import { newCommentId, newTicketId } from './ids.ts';
import type { CommentId, TicketId } from './ids.ts';

describe('ticket ids', () => {
  it('are UUIDs at run time and distinct types at compile time', () => {
    const ticketId: TicketId = newTicketId(new Date());
    const commentId: CommentId = newCommentId(new Date());
    assert.ok(isUuid(ticketId) && isUuid(commentId));
    // tsc fails this file if a brand stops protecting its slot (the directives become unused).
    // @ts-expect-error a comment id is not a ticket id
    const wrongTicket: TicketId = commentId;
    // @ts-expect-error a plain string (a tenant id, a route parameter) is not a ticket id
    const plainString: TicketId = 'd3b07384-d9a0-4c3f-8f1e-000000000000';
    assert.equal(typeof wrongTicket + typeof plainString, 'stringstring');
  });
});
