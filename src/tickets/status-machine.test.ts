import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedTransitions, canTransition, statusAfterCustomerReply, TICKET_STATUSES } from './status-machine.ts';
import type { TransitionActor } from './status-machine.ts';
import type { TicketStatus } from './tables.ts';

// The full table of tickets.md: every (from, actor) pair and the statuses it may reach.
const TABLE: [TicketStatus, TransitionActor, TicketStatus[]][] = [
  ['open', 'customer', ['resolved', 'closed']],
  ['open', 'staff', ['in-progress', 'waiting-customer', 'resolved', 'closed']],
  ['open', 'system', []],
  ['in-progress', 'customer', ['resolved']],
  ['in-progress', 'staff', ['open', 'waiting-customer', 'resolved']],
  ['in-progress', 'system', []],
  ['waiting-customer', 'customer', []],
  ['waiting-customer', 'staff', ['in-progress']],
  ['waiting-customer', 'system', ['open', 'in-progress']],
  ['resolved', 'customer', ['open', 'closed']],
  ['resolved', 'staff', ['open', 'closed']],
  ['resolved', 'system', ['open', 'closed']],
  ['closed', 'customer', []],
  ['closed', 'staff', []],
  ['closed', 'system', []],
];

describe('ticket status machine', () => {
  it('covers every status and actor exactly once', () => {
    const actors: TransitionActor[] = ['customer', 'staff', 'system'];
    assert.equal(TABLE.length, TICKET_STATUSES.length * actors.length);
    for (const from of TICKET_STATUSES)
      for (const actor of actors)
        assert.ok(
          TABLE.some(([f, a]) => f === from && a === actor),
          `${from}/${actor}`,
        );
  });

  for (const [from, actor, expected] of TABLE) {
    it(`${from} by ${actor} → ${expected.join(', ') || 'nothing'}`, () => {
      assert.deepEqual(allowedTransitions(from, actor), expected);
      for (const to of TICKET_STATUSES)
        assert.equal(canTransition(from, to, actor), expected.includes(to), `${from} → ${to}`);
    });
  }

  it('customers can never set in-progress or waiting-customer', () => {
    for (const from of TICKET_STATUSES) {
      assert.ok(!canTransition(from, 'in-progress', 'customer'));
      assert.ok(!canTransition(from, 'waiting-customer', 'customer'));
    }
  });

  it('closed is final and no status transitions to itself', () => {
    for (const actor of ['customer', 'staff', 'system'] as const) {
      assert.deepEqual(allowedTransitions('closed', actor), []);
      for (const status of TICKET_STATUSES) assert.ok(!canTransition(status, status, actor));
    }
  });

  const replies: [TicketStatus, boolean, boolean, TicketStatus | null][] = [
    ['waiting-customer', false, true, 'open'],
    ['waiting-customer', true, true, 'in-progress'],
    ['resolved', false, true, 'open'],
    ['resolved', true, false, null],
    ['open', true, true, null],
    ['in-progress', true, true, null],
    ['closed', false, true, null],
  ];
  for (const [from, assigned, inWindow, expected] of replies) {
    it(`a customer reply on ${from} (assigned ${assigned}, in window ${inWindow}) → ${expected ?? 'unchanged'}`, () => {
      const next = statusAfterCustomerReply(from, assigned, inWindow);
      assert.equal(next, expected);
      if (next) assert.ok(canTransition(from, next, from === 'resolved' ? 'customer' : 'system'));
    });
  }
});
