/**
 * Quiet hours, pure: a daily window in the user's own time zone during which emails wait. All the
 * calendar work (midnight crossings, DST gaps and overlaps) is luxon's; this module only decides
 * which windows exist around an instant and where the one holding it ends.
 */
import { DateTime, IANAZone } from 'luxon';

/** A user's quiet hours as stored and as the API shows them. `days` are ISO weekdays (Monday = 1) on which a window starts. */
export interface QuietHours {
  start: string;
  end: string;
  time_zone: string;
  days: number[];
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The first problem with `value` as `[field, message]` (field relative to the quiet-hours object), or null. */
export function quietHoursProblem(value: QuietHours): [string, string] | null {
  if (!HH_MM.test(value.start)) return ['start', 'must be a time HH:mm (00:00 to 23:59)'];
  if (!HH_MM.test(value.end)) return ['end', 'must be a time HH:mm (00:00 to 23:59)'];
  if (value.start === value.end) return ['end', 'must differ from start (a window cannot be empty or the whole day)'];
  if (!IANAZone.isValidZone(value.time_zone)) return ['time_zone', `"${value.time_zone}" is not an IANA time zone`];
  if (value.days.length === 0) return ['days', 'must name at least one ISO weekday (1 = Monday … 7 = Sunday)'];
  if (value.days.some((day) => !Number.isInteger(day) || day < 1 || day > 7))
    return ['days', 'must hold ISO weekdays from 1 (Monday) to 7 (Sunday)'];
  if (new Set(value.days).size !== value.days.length) return ['days', 'must not repeat a day'];
  return null;
}

function clockOf(text: string): { hour: number; minute: number } {
  const [hour, minute] = text.split(':').map(Number);
  return { hour: hour ?? 0, minute: minute ?? 0 };
}

/** One occurrence of the window as instants, [start, end). */
interface Window {
  start: number;
  end: number;
}

/**
 * The windows starting on the local days around `at` (two days back to one ahead: a window is at
 * most a day long, so any window holding `at` is among them). A wall time that does not exist on
 * a DST day moves forward with the clock; an ambiguous one takes luxon's choice (the earlier offset).
 */
function windowsAround(quiet: QuietHours, at: number): Window[] {
  const zone = quiet.time_zone;
  const local = DateTime.fromMillis(at, { zone }).startOf('day');
  const start = clockOf(quiet.start);
  const end = clockOf(quiet.end);
  const crossesMidnight = quiet.end < quiet.start;
  const windows: Window[] = [];
  for (let offset = -2; offset <= 1; offset++) {
    const day = local.plus({ days: offset });
    if (!quiet.days.includes(day.weekday)) continue;
    const from = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, ...start }, { zone });
    const endDay = crossesMidnight ? day.plus({ days: 1 }) : day;
    const to = DateTime.fromObject({ year: endDay.year, month: endDay.month, day: endDay.day, ...end }, { zone });
    if (to.toMillis() > from.toMillis()) windows.push({ start: from.toMillis(), end: to.toMillis() });
  }
  return windows;
}

/** Whether `at` falls inside one of the windows. */
export function insideQuietHours(quiet: QuietHours, at: Date): boolean {
  const t = at.getTime();
  return windowsAround(quiet, t).some((w) => w.start <= t && t < w.end);
}

/**
 * When an email planned at `now` may go: `now` outside quiet hours, otherwise the end of the
 * window holding it (and of any window that end itself falls into, which a DST overlap can cause).
 * Never earlier than `now`, never inside a window.
 */
export function quietHoursRelease(quiet: QuietHours | null, now: Date): Date {
  if (!quiet) return now;
  let t = now.getTime();
  // Each step jumps to a strictly later window end; a handful always suffices (windows are ≤ 1 day, ≥ 1 minute apart).
  for (let step = 0; step < 8; step++) {
    const holding = windowsAround(quiet, t).filter((w) => w.start <= t && t < w.end);
    if (holding.length === 0) return new Date(t);
    t = Math.max(...holding.map((w) => w.end));
  }
  return new Date(t);
}
