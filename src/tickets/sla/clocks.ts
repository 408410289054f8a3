import { addBusinessTime, businessTimeBetween } from './business-time.ts';
import type { BusinessCalendar } from './calendar.ts';

/** The two clocks of a ticket. */
export type ClockName = 'first_response' | 'resolution';
export const CLOCK_NAMES: readonly ClockName[] = ['first_response', 'resolution'];

/** running: counting; paused: waiting on the customer; met: its goal reached; stopped: closed unmet, or made moot. */
export type ClockPhase = 'running' | 'paused' | 'met' | 'stopped';

/** The ticket-level SLA status of tickets.md. */
export type SlaStatus = 'on_track' | 'at_risk' | 'breached' | 'met';

/**
 * One clock. Business time is snapshotted into `elapsed_ms` at every change (pause, priority,
 * calendar), so time counted under one target or calendar is kept when the next one applies.
 */
export interface SlaClock {
  phase: ClockPhase;
  target_ms: number;
  /** Business ms counted before `running_since` (all of it when not running). */
  elapsed_ms: number;
  running_since: string | null;
  paused_at: string | null;
  calendar_id: string;
  /** Bumped when a reopen restarts the resolution clock; warnings and breaches fire once per cycle. */
  cycle: number;
  warned: boolean;
  breached: boolean;
  /** When the target is (or was) reached; null while paused or once met/stopped. */
  due_at: string | null;
  /** When the warning share of the target is reached; null when not running. */
  warn_at: string | null;
}

/** Both clocks plus the warning share in force, stored as JSON on the ticket. */
export interface SlaClocks {
  warning_percent: number;
  first_response: SlaClock;
  resolution: SlaClock;
}

/** What applies to a ticket now: its calendar, targets (business ms) and warning share. */
export interface SlaTerms {
  calendar: BusinessCalendar;
  firstResponseMs: number;
  resolutionMs: number;
  warningPercent: number;
}

/** Finds a calendar by id (a clock keeps counting on the calendar it started on until re-applied). */
export type CalendarLookup = (id: string) => BusinessCalendar;

/** An entry of the append-only SLA event log. */
export interface SlaEvent {
  event: 'applied' | 'paused' | 'resumed' | 'warning' | 'breached' | 'met';
  clock: ClockName;
  cycle: number;
  target_ms: number;
  elapsed_ms: number;
  due_at: string | null;
}

/** A transition's result: the new clocks and what to log. */
export interface SlaChange {
  clocks: SlaClocks;
  events: SlaEvent[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Business ms counted so far on a clock, at `now`. */
export function elapsedAt(clock: SlaClock, calendars: CalendarLookup, now: Date): number {
  if (clock.phase !== 'running' || clock.running_since === null) return clock.elapsed_ms;
  return (
    clock.elapsed_ms + businessTimeBetween(calendars(clock.calendar_id), Date.parse(clock.running_since), now.getTime())
  );
}

/** The business ms at which a clock warns. */
export function warningThreshold(clock: SlaClock, warningPercent: number): number {
  return Math.ceil((clock.target_ms * warningPercent) / 100);
}

/** Folds time counted so far into `elapsed_ms` and restarts counting at `now` (running clocks). */
function snapshot(clock: SlaClock, calendars: CalendarLookup, now: Date): SlaClock {
  if (clock.phase !== 'running') return clock;
  return { ...clock, elapsed_ms: elapsedAt(clock, calendars, now), running_since: now.toISOString() };
}

/** Recomputes due and warning instants of a snapshotted clock (running_since = now when running). */
function withDueTimes(clock: SlaClock, calendars: CalendarLookup, warningPercent: number): SlaClock {
  if (clock.phase !== 'running' || clock.running_since === null) {
    return { ...clock, due_at: clock.phase === 'paused' ? null : clock.due_at, warn_at: null };
  }
  const calendar = calendars(clock.calendar_id);
  const since = Date.parse(clock.running_since);
  const at = (business: number) => iso(addBusinessTime(calendar, since, business - clock.elapsed_ms));
  return { ...clock, due_at: at(clock.target_ms), warn_at: at(warningThreshold(clock, warningPercent)) };
}

function logEntry(event: SlaEvent['event'], name: ClockName, clock: SlaClock): SlaEvent {
  return {
    event,
    clock: name,
    cycle: clock.cycle,
    target_ms: clock.target_ms,
    elapsed_ms: clock.elapsed_ms,
    due_at: clock.due_at,
  };
}

function freshClock(terms: SlaTerms, target: number, now: Date): SlaClock {
  return {
    phase: 'running',
    target_ms: target,
    elapsed_ms: 0,
    running_since: now.toISOString(),
    paused_at: null,
    calendar_id: terms.calendar.id,
    cycle: 1,
    warned: false,
    breached: false,
    due_at: null,
    warn_at: null,
  };
}

/** Both clocks of a new ticket, running from `now`. */
export function startClocks(terms: SlaTerms, now: Date): SlaChange {
  const calendars: CalendarLookup = () => terms.calendar;
  const clocks: SlaClocks = {
    warning_percent: terms.warningPercent,
    first_response: withDueTimes(freshClock(terms, terms.firstResponseMs, now), calendars, terms.warningPercent),
    resolution: withDueTimes(freshClock(terms, terms.resolutionMs, now), calendars, terms.warningPercent),
  };
  return {
    clocks,
    events: CLOCK_NAMES.map((name) => logEntry('applied', name, clocks[name])),
  };
}

type ClockStep = (clock: SlaClock, name: ClockName) => { clock: SlaClock; event?: SlaEvent['event'] } | null;

/** Applies `step` to the named clocks, recording one event per changed clock. */
function step(
  change: SlaChange,
  names: readonly ClockName[],
  calendars: CalendarLookup,
  now: Date,
  fn: ClockStep,
): SlaChange {
  let clocks = change.clocks;
  const events = [...change.events];
  for (const name of names) {
    const result = fn(snapshot(clocks[name], calendars, now), name);
    if (!result) continue;
    const clock = withDueTimes(result.clock, calendars, clocks.warning_percent);
    clocks = { ...clocks, [name]: clock };
    if (result.event) events.push(logEntry(result.event, name, clock));
  }
  return { clocks, events };
}

const start = (clocks: SlaClocks): SlaChange => ({ clocks, events: [] });

/** `waiting-customer`: running clocks stop counting. */
export function pauseClocks(clocks: SlaClocks, calendars: CalendarLookup, now: Date): SlaChange {
  return step(start(clocks), CLOCK_NAMES, calendars, now, (clock) =>
    clock.phase === 'running'
      ? {
          clock: { ...clock, phase: 'paused', running_since: null, paused_at: now.toISOString() },
          event: 'paused',
        }
      : null,
  );
}

/** Leaving `waiting-customer`: paused clocks count again from `now`, with their elapsed time. */
export function resumeClocks(clocks: SlaClocks, calendars: CalendarLookup, now: Date): SlaChange {
  return step(start(clocks), CLOCK_NAMES, calendars, now, (clock) =>
    clock.phase === 'paused'
      ? { clock: { ...clock, phase: 'running', running_since: now.toISOString(), paused_at: null }, event: 'resumed' }
      : null,
  );
}

/**
 * New terms (a priority or tier change): open clocks keep the business time already counted,
 * paused ones stay paused, and their targets and calendar become the new ones.
 */
export function applyTerms(clocks: SlaClocks, terms: SlaTerms, calendars: CalendarLookup, now: Date): SlaChange {
  const lookup: CalendarLookup = (id) => (id === terms.calendar.id ? terms.calendar : calendars(id));
  const targets: Record<ClockName, number> = {
    first_response: terms.firstResponseMs,
    resolution: terms.resolutionMs,
  };
  // step() snapshots each clock on its old calendar before the new target and calendar go in.
  return step(start({ ...clocks, warning_percent: terms.warningPercent }), CLOCK_NAMES, lookup, now, (clock, name) =>
    clock.phase === 'running' || clock.phase === 'paused'
      ? { clock: { ...clock, target_ms: targets[name], calendar_id: terms.calendar.id }, event: 'applied' }
      : null,
  );
}

/** The clock's goal was reached (first public staff reply; resolution). */
export function meetClock(clocks: SlaClocks, name: ClockName, calendars: CalendarLookup, now: Date): SlaChange {
  return step(start(clocks), [name], calendars, now, (clock) =>
    clock.phase === 'running' || clock.phase === 'paused'
      ? { clock: { ...clock, phase: 'met', running_since: null, paused_at: null, warn_at: null }, event: 'met' }
      : null,
  );
}

/** Stops open clocks without meeting them (closed unresolved; first response moot once resolved). */
export function stopClocks(
  clocks: SlaClocks,
  names: readonly ClockName[],
  calendars: CalendarLookup,
  now: Date,
): SlaChange {
  return step(start(clocks), names, calendars, now, (clock) =>
    clock.phase === 'running' || clock.phase === 'paused'
      ? { clock: { ...clock, phase: 'stopped', running_since: null, paused_at: null, warn_at: null } }
      : null,
  );
}

/**
 * A reopen: the resolution clock counts again from the business time it had reached, in a new
 * cycle (so its warning and breach can fire again), under the current terms.
 */
export function reopenResolution(clocks: SlaClocks, terms: SlaTerms, now: Date): SlaChange {
  const clock = clocks.resolution;
  const reopened: SlaClock = {
    ...clock,
    phase: 'running',
    target_ms: terms.resolutionMs,
    calendar_id: terms.calendar.id,
    running_since: now.toISOString(),
    paused_at: null,
    cycle: clock.cycle + 1,
    warned: false,
    breached: false,
  };
  const resolution = withDueTimes(reopened, () => terms.calendar, terms.warningPercent);
  return {
    clocks: { ...clocks, warning_percent: terms.warningPercent, resolution },
    events: [logEntry('applied', 'resolution', resolution)],
  };
}

/**
 * The ticket-level status at `now`: breached when a clock has counted past its target (this
 * cycle), else met when no clock is open, else at risk when an open clock is past the warning
 * share, else on track.
 */
export function slaStatusAt(clocks: SlaClocks, calendars: CalendarLookup, now: Date): SlaStatus {
  let open = false;
  let atRisk = false;
  for (const name of CLOCK_NAMES) {
    const clock = clocks[name];
    if (clock.phase === 'stopped' && !clock.breached) continue;
    const elapsed = elapsedAt(clock, calendars, now);
    if (clock.breached || elapsed >= clock.target_ms) return 'breached';
    if (clock.phase === 'running' || clock.phase === 'paused') {
      open = true;
      if (elapsed >= warningThreshold(clock, clocks.warning_percent)) atRisk = true;
    }
  }
  if (!open) return 'met';
  return atRisk ? 'at_risk' : 'on_track';
}

/** A due check a job should make: at `run_at`, the named clock's warning or breach. */
export interface DueCheck {
  clock: ClockName;
  kind: 'warning' | 'breach';
  cycle: number;
  run_at: string;
}

/** The checks still to come for running clocks: each warning and breach not yet raised this cycle. */
export function pendingDueChecks(clocks: SlaClocks): DueCheck[] {
  const checks: DueCheck[] = [];
  for (const name of CLOCK_NAMES) {
    const clock = clocks[name];
    if (clock.phase !== 'running') continue;
    if (!clock.warned && !clock.breached && clock.warn_at) {
      checks.push({ clock: name, kind: 'warning', cycle: clock.cycle, run_at: clock.warn_at });
    }
    if (!clock.breached && clock.due_at) {
      checks.push({ clock: name, kind: 'breach', cycle: clock.cycle, run_at: clock.due_at });
    }
  }
  return checks;
}

/**
 * What a due-check job finds at `now`: the event to raise, or null when the clock moved (paused,
 * met, re-targeted, a new cycle) or the event was raised already — a stale job does nothing.
 * A warning not raised before the breach is skipped: the breach says more.
 */
export function checkDue(
  clocks: SlaClocks,
  check: Pick<DueCheck, 'clock' | 'kind' | 'cycle'>,
  calendars: CalendarLookup,
  now: Date,
): SlaChange | null {
  const clock = clocks[check.clock];
  if (clock.phase !== 'running' || clock.cycle !== check.cycle || clock.breached) return null;
  const elapsed = elapsedAt(clock, calendars, now);
  if (check.kind === 'warning') {
    if (clock.warned || elapsed < warningThreshold(clock, clocks.warning_percent) || elapsed >= clock.target_ms)
      return null;
    const warned = { ...clock, warned: true };
    return {
      clocks: { ...clocks, [check.clock]: warned },
      events: [{ ...logEntry('warning', check.clock, warned), elapsed_ms: elapsed }],
    };
  }
  if (elapsed < clock.target_ms) return null;
  const breached = { ...clock, breached: true, warned: true };
  return {
    clocks: { ...clocks, [check.clock]: breached },
    events: [{ ...logEntry('breached', check.clock, breached), elapsed_ms: elapsed }],
  };
}

/** The seed's `sla_due_date`: the due time of the first running clock (first response, then resolution). */
export function nextDueAt(clocks: SlaClocks): string | null {
  for (const name of CLOCK_NAMES) {
    const clock = clocks[name];
    if (clock.phase === 'running') return clock.due_at;
  }
  return null;
}
