import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { TicketPriority, TicketStatus } from '../tables.ts';
import { businessTimeBetween } from './business-time.ts';
import { ALWAYS_OPEN_CALENDAR, DEFAULT_BUSINESS_CALENDAR } from './calendar.ts';
import { elapsedAt, startClocks } from './clocks.ts';
import type { CalendarLookup, SlaClocks } from './clocks.ts';
import { defaultPolicy, termsFor } from './policy.ts';
import { adoptTicket, slaAfterChange } from './transitions.ts';
import type { SlaFacts } from './transitions.ts';

const HOUR = 3_600_000;
const calendars: CalendarLookup = (id) => (id === '24x7' ? ALWAYS_OPEN_CALENDAR : DEFAULT_BUSINESS_CALENDAR);
const policy = defaultPolicy('standard');
const terms = (priority: TicketPriority) => termsFor(policy, priority, calendars);
const facts = (status: TicketStatus, priority: TicketPriority = 'medium', replied = false): SlaFacts => ({
  status,
  priority,
  first_response_at: replied ? '2026-01-05T10:00:00.000Z' : null,
});

describe('SLA transitions of a ticket', () => {
  it('resolving meets resolution and makes an unanswered first response moot; closing stops both', () => {
    const start = startClocks(terms('high'), new Date('2026-01-05T09:00:00Z')).clocks;
    const resolved = slaAfterChange(
      start,
      facts('open', 'high'),
      facts('resolved', 'high'),
      terms('high'),
      calendars,
      new Date('2026-01-05T10:00:00Z'),
    );
    assert.equal(resolved.clocks.resolution.phase, 'met');
    assert.equal(resolved.clocks.first_response.phase, 'stopped');
    const closed = slaAfterChange(
      start,
      facts('open', 'high'),
      facts('closed', 'high'),
      terms('high'),
      calendars,
      new Date('2026-01-05T10:00:00Z'),
    );
    assert.deepEqual([closed.clocks.first_response.phase, closed.clocks.resolution.phase], ['stopped', 'stopped']);
    assert.deepEqual(closed.events, []);
  });

  it('adopts a ticket made before the engine: clocks from its creation, its state applied now', () => {
    const adopted = adoptTicket(
      '2026-01-05T09:00:00.000Z',
      facts('waiting-customer', 'low', true),
      terms('low'),
      calendars,
      new Date('2026-01-06T09:00:00Z'),
    );
    assert.equal(adopted.clocks.first_response.phase, 'met');
    assert.equal(adopted.clocks.resolution.phase, 'paused');
    assert.equal(adopted.clocks.resolution.elapsed_ms, 9 * HOUR);
  });

  // The GLPI bug: re-targeting after a pause must not drop the time counted before it.
  it('property: whatever the pauses and priority changes, elapsed is the business time spent running', () => {
    const step = fc.record({
      gapMs: fc.integer({ min: 1, max: 30 * HOUR }),
      to: fc.oneof(
        fc.record({ status: fc.constantFrom<TicketStatus>('open', 'in-progress', 'waiting-customer') }),
        fc.record({ priority: fc.constantFrom<TicketPriority>('low', 'medium', 'high') }),
      ),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-01T00:00:00Z') }),
        fc.array(step, { maxLength: 12 }),
        (start, steps) => {
          let now = start;
          let current = facts('open', 'medium');
          let clocks: SlaClocks = startClocks(terms('medium'), new Date(now)).clocks;
          let expected = 0;
          for (const { gapMs, to } of steps) {
            const next = now + gapMs;
            if (current.status !== 'waiting-customer')
              expected += businessTimeBetween(DEFAULT_BUSINESS_CALENDAR, now, next);
            now = next;
            const after: SlaFacts = { ...current, ...to };
            clocks = slaAfterChange(clocks, current, after, terms(after.priority), calendars, new Date(now)).clocks;
            current = after;
            assert.equal(clocks.first_response.target_ms, terms(current.priority).firstResponseMs);
          }
          assert.equal(elapsedAt(clocks.first_response, calendars, new Date(now)), expected);
          assert.equal(elapsedAt(clocks.resolution, calendars, new Date(now)), expected);
          assert.equal(clocks.first_response.phase, current.status === 'waiting-customer' ? 'paused' : 'running');
        },
      ),
      { numRuns: 200 },
    );
  });
});
