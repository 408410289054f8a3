import { describe, expect, it } from 'vitest';
import { slaBadge } from './sla-badge.ts';
import type { SlaFields } from './sla-badge.ts';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const ticket = (fields: Partial<SlaFields>): SlaFields => ({
  status: 'open',
  sla_status: 'on_track',
  sla_due_date: at(3 * HOUR),
  first_response_at: null,
  ...fields,
});

describe('slaBadge', () => {
  it.each<[string, Partial<SlaFields>, string, string]>([
    ['on track, first response running', {}, 'Response due in 3 h', 'info'],
    [
      'on track, resolution running',
      { first_response_at: at(-HOUR), sla_due_date: at(26 * HOUR) },
      'Resolution due in 1 d 2 h',
      'info',
    ],
    ['at risk', { sla_status: 'at_risk', sla_due_date: at(45 * 60_000) }, 'At risk: response in 45 min', 'warning'],
    [
      'breached, with how long ago',
      { sla_status: 'breached', sla_due_date: at(-2 * HOUR) },
      'SLA breached 2 h ago',
      'danger',
    ],
    ['breached, no running clock', { sla_status: 'breached', sla_due_date: null }, 'SLA breached', 'danger'],
    [
      'due time passed before the server noticed',
      { sla_due_date: at(-5 * 60_000) },
      'SLA breached 5 min ago',
      'danger',
    ],
    ['due exactly now', { sla_due_date: at(0) }, 'SLA breached 0 s ago', 'danger'],
    ['resolved', { status: 'resolved', sla_status: 'met', sla_due_date: null }, 'SLA met', 'success'],
    ['closed while on track', { status: 'closed', sla_due_date: null }, 'SLA met', 'success'],
    [
      'resolved after a breach',
      { status: 'resolved', sla_status: 'breached', sla_due_date: null },
      'SLA breached',
      'danger',
    ],
    ['no target', { sla_due_date: null }, 'No SLA target', 'neutral'],
    ['waiting on the customer', { status: 'waiting-customer', sla_due_date: null }, 'SLA paused', 'neutral'],
  ])('%s', (_, fields, label, tone) => {
    expect(slaBadge(ticket(fields), NOW)).toEqual({ label, tone });
  });
});
