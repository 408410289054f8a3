import { describe, expect, it } from 'vitest';
import { describeChange } from './history.ts';
import type { HistoryEntry } from './fields.ts';

const entry = (field: string, from: unknown, to: unknown): HistoryEntry => ({
  id: 'h1',
  ticket_id: 't1',
  field,
  from,
  to,
  actor_id: null,
  actor_role: 'staff',
  visibility: 'public',
  created_at: '2026-11-28T12:00:00Z',
});
const nameOf = (id: string | null) => (id === 'agent-1' ? 'Dana Agent' : id === 'me' ? 'You' : 'someone');

describe('describeChange', () => {
  it.each<[HistoryEntry, string]>([
    [entry('status', 'open', 'resolved'), 'Status: Open → Resolved'],
    [entry('status', 'waiting-customer', 'in-progress'), 'Status: Waiting on customer → In progress'],
    [entry('priority', 'medium', 'critical'), 'Priority: Medium → Critical'],
    [entry('category', 'general', 'feature-request'), 'Category: General → Feature request'],
    [entry('assignee_id', null, 'agent-1'), 'Assigned to Dana Agent'],
    [entry('assignee_id', 'agent-1', null), 'Unassigned'],
    [entry('assignee_id', null, 'me'), 'Assigned to you'],
    [entry('tags', [], ['sso', 'login']), 'Tags: none → sso, login'],
    [entry('follow_up', null, 'SB-1043'), 'Follow-up ticket SB-1043 opened'],
    [entry('status', null, 'open'), 'Ticket opened'],
    [entry('sla', null, { event: 'applied', clock: 'first_response', due_at: null }), 'First response SLA target set'],
    [entry('sla', null, { event: 'met', clock: 'first_response' }), 'First response SLA met'],
    [
      entry('sla', null, { event: 'paused', clock: 'resolution' }),
      'Resolution SLA paused while waiting on the customer',
    ],
    [entry('sla', null, { event: 'breached', clock: 'resolution' }), 'Resolution SLA breached'],
    [entry('sla', null, 'odd'), 'SLA changed'],
  ])('%o', (change, text) => {
    expect(describeChange(change, nameOf)).toBe(text);
  });
});
