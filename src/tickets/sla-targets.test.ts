import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSlaDue, slaDueDates } from './sla-targets.ts';
import type { TicketPriority } from './tables.ts';

const CREATED = '2026-01-05T10:00:00.000Z';
const CASES: [TicketPriority, string, string][] = [
  ['critical', '2026-01-05T11:00:00.000Z', '2026-01-05T18:00:00.000Z'],
  ['high', '2026-01-05T14:00:00.000Z', '2026-01-07T10:00:00.000Z'],
  ['medium', '2026-01-06T10:00:00.000Z', '2026-01-10T10:00:00.000Z'],
  ['low', '2026-01-07T10:00:00.000Z', '2026-01-15T10:00:00.000Z'],
];

describe('SLA targets (wall clock, seed defaults)', () => {
  for (const [priority, firstResponse, resolution] of CASES) {
    it(`${priority}: first response ${firstResponse}, resolution ${resolution}`, () => {
      assert.deepEqual(slaDueDates(priority, CREATED), {
        firstResponseDueAt: firstResponse,
        resolutionDueAt: resolution,
      });
    });
  }

  it('sla_due_date is the next running clock', () => {
    const base = {
      first_response_at: null,
      resolved_at: null,
      closed_at: null,
      sla_first_response_due_at: 'A',
      sla_resolution_due_at: 'B',
    };
    assert.equal(nextSlaDue(base), 'A');
    assert.equal(nextSlaDue({ ...base, first_response_at: 'x' }), 'B');
    assert.equal(nextSlaDue({ ...base, first_response_at: 'x', resolved_at: 'y' }), null);
    assert.equal(nextSlaDue({ ...base, closed_at: 'y' }), null);
  });
});
