import { describe, expect, it } from 'vitest';
import { statusActions } from './status-actions.ts';
import type { Actor } from './status-actions.ts';
import type { TicketStatus } from './fields.ts';

const labels = (status: TicketStatus, actor: Actor, canWrite = true) =>
  statusActions(status, actor, canWrite).map((action) => action.label);

describe('status actions', () => {
  it.each<[TicketStatus, Actor, string[]]>([
    ['open', 'customer', ['Resolve', 'Close']],
    ['in-progress', 'customer', ['Resolve']],
    ['waiting-customer', 'customer', []],
    ['resolved', 'customer', ['Reopen', 'Close']],
    ['closed', 'customer', []],
    ['open', 'staff', ['Start work', 'Wait on customer', 'Resolve', 'Close']],
    ['in-progress', 'staff', ['Back to open', 'Wait on customer', 'Resolve']],
    ['waiting-customer', 'staff', ['Resume work']],
    ['resolved', 'staff', ['Reopen', 'Close']],
    ['closed', 'staff', []],
  ])('%s for %s', (status, actor, expected) => {
    expect(labels(status, actor)).toEqual(expected);
  });

  it('offers nothing without write access', () => {
    expect(labels('open', 'customer', false)).toEqual([]);
  });

  it('asks before closing only', () => {
    expect(statusActions('resolved', 'customer', true).map((action) => action.confirm)).toEqual([false, true]);
  });
});
