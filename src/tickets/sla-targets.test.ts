import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSlaDue } from './sla-targets.ts';

describe('sla_due_date', () => {
  it('is the next running clock', () => {
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
