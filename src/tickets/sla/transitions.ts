import type { TicketPriority, TicketStatus } from '../tables.ts';
import {
  applyTerms,
  meetClock,
  pauseClocks,
  reopenResolution,
  resumeClocks,
  startClocks,
  stopClocks,
} from './clocks.ts';
import type { CalendarLookup, SlaChange, SlaClocks, SlaTerms } from './clocks.ts';

/** What of a ticket the clocks follow. */
export interface SlaFacts {
  status: TicketStatus;
  priority: TicketPriority;
  first_response_at: string | null;
}

function then(change: SlaChange, next: (clocks: SlaClocks) => SlaChange): SlaChange {
  const result = next(change.clocks);
  return { clocks: result.clocks, events: [...change.events, ...result.events] };
}

/**
 * The clocks after a ticket moved from `before` to `after` at `now` (`terms` are those of the
 * ticket after the change): the first public staff reply meets first response; a priority change
 * re-targets from the business time counted; `waiting-customer` pauses and leaving it resumes;
 * `resolved` meets resolution (first response, if still open, becomes moot); `closed` stops
 * everything; a reopen restarts resolution in a new cycle from its elapsed time.
 */
export function slaAfterChange(
  clocks: SlaClocks,
  before: SlaFacts,
  after: SlaFacts,
  terms: SlaTerms,
  calendars: CalendarLookup,
  now: Date,
): SlaChange {
  let change: SlaChange = { clocks, events: [] };
  if (after.first_response_at && !before.first_response_at) {
    change = then(change, (c) => meetClock(c, 'first_response', calendars, now));
  }
  if (after.priority !== before.priority) change = then(change, (c) => applyTerms(c, terms, calendars, now));
  if (after.status === before.status) return change;
  if (after.status === 'resolved') {
    change = then(change, (c) => meetClock(c, 'resolution', calendars, now));
    return then(change, (c) => stopClocks(c, ['first_response'], calendars, now));
  }
  if (after.status === 'closed')
    return then(change, (c) => stopClocks(c, ['first_response', 'resolution'], calendars, now));
  if (before.status === 'resolved') change = then(change, (c) => reopenResolution(c, terms, now));
  if (after.status === 'waiting-customer') return then(change, (c) => pauseClocks(c, calendars, now));
  if (before.status === 'waiting-customer') return then(change, (c) => resumeClocks(c, calendars, now));
  return change;
}

/**
 * Clocks for a ticket made before the engine existed: started at its creation, with first
 * response met now if it was already, and the current status applied.
 */
export function adoptTicket(
  createdAt: string,
  facts: SlaFacts,
  terms: SlaTerms,
  calendars: CalendarLookup,
  now: Date,
): SlaChange {
  const started = startClocks(terms, new Date(createdAt));
  return then(started, (c) =>
    slaAfterChange(
      c,
      { status: 'open', priority: facts.priority, first_response_at: null },
      facts,
      terms,
      calendars,
      now,
    ),
  );
}
