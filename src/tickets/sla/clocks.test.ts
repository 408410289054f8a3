import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALWAYS_OPEN_CALENDAR, DEFAULT_BUSINESS_CALENDAR } from './calendar.ts';
import {
  applyTerms,
  checkDue,
  elapsedAt,
  meetClock,
  nextDueAt,
  pauseClocks,
  pendingDueChecks,
  reopenResolution,
  resumeClocks,
  slaStatusAt,
  startClocks,
  stopClocks,
} from './clocks.ts';
import type { CalendarLookup, SlaTerms } from './clocks.ts';
import { defaultPolicy, termsFor } from './policy.ts';

const HOUR = 3_600_000;
const calendars: CalendarLookup = (id) => (id === '24x7' ? ALWAYS_OPEN_CALENDAR : DEFAULT_BUSINESS_CALENDAR);
const standard = defaultPolicy('standard');
const terms = (priority: 'low' | 'medium' | 'high' | 'critical'): SlaTerms => termsFor(standard, priority, calendars);
const t = (text: string) => new Date(text);

describe('SLA clocks', () => {
  it('a high ticket opened Friday 17:30 is due Monday (first response 4 business hours)', () => {
    const { clocks, events } = startClocks(terms('high'), t('2026-01-09T17:30:00Z'));
    assert.equal(clocks.first_response.due_at, '2026-01-12T12:30:00.000Z');
    assert.equal(clocks.first_response.warn_at, '2026-01-12T11:42:00.000Z');
    assert.deepEqual(
      events.map((e) => [e.event, e.clock]),
      [
        ['applied', 'first_response'],
        ['applied', 'resolution'],
      ],
    );
    assert.equal(nextDueAt(clocks), '2026-01-12T12:30:00.000Z');
  });

  it('a pause of two business days moves the due times by exactly two business days', () => {
    const opened = startClocks(terms('medium'), t('2026-01-05T10:00:00Z')).clocks;
    const paused = pauseClocks(opened, calendars, t('2026-01-05T12:00:00Z'));
    assert.equal(paused.clocks.first_response.phase, 'paused');
    assert.equal(paused.clocks.first_response.elapsed_ms, 2 * HOUR);
    assert.equal(paused.clocks.first_response.due_at, null);
    assert.deepEqual(pendingDueChecks(paused.clocks), []);
    const resumed = resumeClocks(paused.clocks, calendars, t('2026-01-07T12:00:00Z')).clocks;
    // 24 business hours: 2 counted before the pause, 22 after Wednesday 12:00 → Friday 16:00.
    assert.equal(opened.first_response.due_at, '2026-01-07T16:00:00.000Z');
    assert.equal(resumed.first_response.due_at, '2026-01-09T16:00:00.000Z');
  });

  it('a priority change keeps the business time counted, paused time included', () => {
    const opened = startClocks(terms('low'), t('2026-01-05T09:00:00Z')).clocks;
    const paused = pauseClocks(opened, calendars, t('2026-01-05T12:00:00Z')).clocks;
    const raised = applyTerms(paused, terms('high'), calendars, t('2026-01-06T15:00:00Z'));
    assert.equal(raised.clocks.first_response.elapsed_ms, 3 * HOUR);
    assert.equal(raised.clocks.first_response.target_ms, 4 * HOUR);
    assert.equal(raised.clocks.first_response.phase, 'paused');
    const resumed = resumeClocks(raised.clocks, calendars, t('2026-01-06T16:00:00Z')).clocks;
    assert.equal(resumed.first_response.due_at, '2026-01-06T17:00:00.000Z');
    assert.equal(elapsedAt(resumed.first_response, calendars, t('2026-01-06T16:30:00Z')), 3.5 * HOUR);
  });

  it('raising to critical switches to 24/7 after the business time counted so far', () => {
    const opened = startClocks(terms('medium'), t('2026-01-09T17:00:00Z')).clocks;
    const critical = applyTerms(opened, terms('critical'), calendars, t('2026-01-10T10:00:00Z')).clocks;
    // One business hour on Friday; the remaining critical hour counts on 24/7 from Saturday 10:00... already over.
    assert.equal(critical.first_response.elapsed_ms, HOUR);
    assert.equal(critical.first_response.due_at, '2026-01-10T10:00:00.000Z');
    assert.equal(slaStatusAt(critical, calendars, t('2026-01-10T10:00:00Z')), 'breached');
  });

  it('warning then breach, once per cycle; a stale check does nothing', () => {
    const opened = startClocks(terms('high'), t('2026-01-05T09:00:00Z')).clocks;
    const check = { clock: 'first_response' as const, cycle: 1 };
    assert.equal(checkDue(opened, { ...check, kind: 'warning' }, calendars, t('2026-01-05T12:00:00Z')), null);
    const warned = checkDue(opened, { ...check, kind: 'warning' }, calendars, t('2026-01-05T12:12:00Z'));
    assert.equal(warned?.events[0]?.event, 'warning');
    assert.equal(slaStatusAt(warned!.clocks, calendars, t('2026-01-05T12:12:00Z')), 'at_risk');
    assert.equal(checkDue(warned!.clocks, { ...check, kind: 'warning' }, calendars, t('2026-01-05T12:13:00Z')), null);
    // Paused before the breach time: the breach job finds the clock moved.
    const paused = pauseClocks(warned!.clocks, calendars, t('2026-01-05T12:30:00Z')).clocks;
    assert.equal(checkDue(paused, { ...check, kind: 'breach' }, calendars, t('2026-01-05T13:00:00Z')), null);
    const resumed = resumeClocks(paused, calendars, t('2026-01-06T09:00:00Z')).clocks;
    assert.equal(resumed.first_response.due_at, '2026-01-06T09:30:00.000Z');
    const breached = checkDue(resumed, { ...check, kind: 'breach' }, calendars, t('2026-01-06T09:30:00Z'));
    assert.equal(breached?.events[0]?.event, 'breached');
    assert.equal(checkDue(breached!.clocks, { ...check, kind: 'breach' }, calendars, t('2026-01-06T10:00:00Z')), null);
    assert.equal(slaStatusAt(breached!.clocks, calendars, t('2026-01-06T10:00:00Z')), 'breached');
  });

  it('met clocks: first response, then resolution; status met', () => {
    const opened = startClocks(terms('high'), t('2026-01-05T09:00:00Z')).clocks;
    const replied = meetClock(opened, 'first_response', calendars, t('2026-01-05T10:00:00Z'));
    assert.equal(replied.events[0]?.event, 'met');
    assert.equal(nextDueAt(replied.clocks), replied.clocks.resolution.due_at);
    const resolved = meetClock(replied.clocks, 'resolution', calendars, t('2026-01-05T11:00:00Z')).clocks;
    assert.equal(slaStatusAt(resolved, calendars, t('2026-02-01T00:00:00Z')), 'met');
    assert.equal(nextDueAt(resolved), null);
    assert.deepEqual(pendingDueChecks(resolved), []);
  });

  it('a reopen restarts resolution from the business time it had reached, in a new cycle', () => {
    const opened = startClocks(terms('high'), t('2026-01-05T09:00:00Z')).clocks;
    const resolved = meetClock(opened, 'resolution', calendars, t('2026-01-05T19:00:00Z')).clocks;
    assert.equal(resolved.resolution.elapsed_ms, 9 * HOUR);
    const reopened = reopenResolution(resolved, terms('high'), t('2026-01-06T09:00:00Z'));
    assert.equal(reopened.clocks.resolution.cycle, 2);
    assert.equal(reopened.clocks.resolution.phase, 'running');
    // 48 - 9 = 39 business hours from Tuesday 09:00: Tue 9, Wed 9, Thu 9, Fri 9, Mon 3 → Monday 12:00.
    assert.equal(reopened.clocks.resolution.due_at, '2026-01-12T12:00:00.000Z');
    assert.deepEqual(
      pendingDueChecks(reopened.clocks).map((c) => [c.clock, c.kind, c.cycle]),
      [
        ['first_response', 'warning', 1],
        ['first_response', 'breach', 1],
        ['resolution', 'warning', 2],
        ['resolution', 'breach', 2],
      ],
    );
  });

  it('closing stops open clocks: nothing more is due', () => {
    const opened = startClocks(terms('low'), t('2026-01-05T09:00:00Z')).clocks;
    const closed = stopClocks(opened, ['first_response', 'resolution'], calendars, t('2026-01-05T10:00:00Z')).clocks;
    assert.deepEqual(pendingDueChecks(closed), []);
    assert.equal(slaStatusAt(closed, calendars, t('2026-03-01T00:00:00Z')), 'met');
  });
});
