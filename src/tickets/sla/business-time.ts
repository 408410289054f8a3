import { DateTime } from 'luxon';
import type { BusinessCalendar } from './calendar.ts';
import { WEEKDAYS } from './calendar.ts';

// A calendar opens at least one interval a week and has finitely many holidays, so an open
// interval is always ahead; this bound only turns a corrupt calendar into an error, not a hang.
const MAX_DAYS_SCANNED = 366 * 30;

const holidaySets = new WeakMap<BusinessCalendar, ReadonlySet<string>>();
function holidaysOf(calendar: BusinessCalendar): ReadonlySet<string> {
  let set = holidaySets.get(calendar);
  if (!set) {
    set = new Set(calendar.holidays);
    holidaySets.set(calendar, set);
  }
  return set;
}

/** The instant of `minutes` after local midnight of `day` (24:00 is the next midnight). */
function instantOf(day: DateTime, minutes: number): number {
  if (minutes === 1440) return day.plus({ days: 1 }).startOf('day').toMillis();
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone: day.zone },
  ).toMillis();
}

/** The open intervals of one local day, as epoch ms, in order; none on a holiday. */
function openIntervalsOf(calendar: BusinessCalendar, day: DateTime): Array<[number, number]> {
  if (holidaysOf(calendar).has(day.toISODate() as string)) return [];
  const intervals: Array<[number, number]> = [];
  for (const interval of calendar.hours[WEEKDAYS[day.weekday - 1] as (typeof WEEKDAYS)[number]]) {
    const start = instantOf(day, interval.start);
    const end = instantOf(day, interval.end);
    if (end > start) intervals.push([start, end]);
  }
  return intervals;
}

/** One local day of a calendar: its open intervals and the starts of the days around it (epoch ms). */
interface CalendarDay {
  intervals: Array<[number, number]>;
  next: number;
  previous: number;
}

// Days are computed once per calendar and reused: every new ticket starts its clocks across the
// same few days, and luxon's calendar arithmetic costs more than the rest of opening a ticket.
// A calendar's days never change (calendars are replaced, not edited in place); the cap only keeps
// a long-running process from holding every day it ever scanned.
const MAX_CACHED_DAYS = 4_096;
const dayCaches = new WeakMap<BusinessCalendar, Map<number, CalendarDay>>();

/** The day of `calendar` starting at `start` (a local start of day from `startOfDay` or another day). */
function dayAt(calendar: BusinessCalendar, start: number): CalendarDay {
  let days = dayCaches.get(calendar);
  if (!days) {
    days = new Map();
    dayCaches.set(calendar, days);
  }
  let day = days.get(start);
  if (!day) {
    const local = DateTime.fromMillis(start, { zone: calendar.timeZone });
    day = {
      intervals: openIntervalsOf(calendar, local),
      next: local.plus({ days: 1 }).toMillis(),
      previous: local.minus({ days: 1 }).toMillis(),
    };
    if (days.size >= MAX_CACHED_DAYS) days.clear();
    days.set(start, day);
  }
  return day;
}

const DAY_MS = 86_400_000;

/** The start of the local day holding `t` (UTC, the default calendar's zone, without luxon). */
function startOfDay(calendar: BusinessCalendar, t: number): number {
  if (calendar.timeZone === 'UTC') return Math.floor(t / DAY_MS) * DAY_MS;
  return DateTime.fromMillis(t, { zone: calendar.timeZone }).startOf('day').toMillis();
}

/** Open intervals from `from` onwards (the first one clipped to start at `from`). */
function* forward(calendar: BusinessCalendar, from: number): Generator<[number, number]> {
  let start = startOfDay(calendar, from);
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned += 1) {
    const day = dayAt(calendar, start);
    for (const [open, end] of day.intervals) {
      if (end > from) yield [Math.max(open, from), end];
    }
    start = day.next;
  }
  throw new Error(`calendar ${calendar.id} has no open time within ${MAX_DAYS_SCANNED} days`);
}

/** Open intervals before `to`, latest first (the first one clipped to end at `to`). */
function* backward(calendar: BusinessCalendar, to: number): Generator<[number, number]> {
  let start = startOfDay(calendar, to);
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned += 1) {
    const day = dayAt(calendar, start);
    for (let i = day.intervals.length - 1; i >= 0; i -= 1) {
      const [open, end] = day.intervals[i] as [number, number];
      if (open < to) yield [open, Math.min(end, to)];
    }
    start = day.previous;
  }
  throw new Error(`calendar ${calendar.id} has no open time within ${MAX_DAYS_SCANNED} days`);
}

/**
 * The instant `ms` of business time after `start` (epoch ms): the earliest instant at which that
 * much open time has passed, so a target that ends with the working day falls at its closing
 * time, not at the next opening. Negative `ms` counts back (the latest instant that far before).
 *
 * @example addBusinessTime(DEFAULT_BUSINESS_CALENDAR, Date.parse('2026-01-09T17:30:00Z'), 3_600_000)
 *   // Monday 2026-01-12T09:30:00Z: 30 minutes on Friday, 30 on Monday
 */
export function addBusinessTime(calendar: BusinessCalendar, start: number, ms: number): number {
  if (calendar.alwaysOpen || ms === 0) return start + ms;
  let remaining = Math.abs(ms);
  if (ms > 0) {
    for (const [from, end] of forward(calendar, start)) {
      if (remaining <= end - from) return from + remaining;
      remaining -= end - from;
    }
  } else {
    for (const [from, end] of backward(calendar, start)) {
      if (remaining <= end - from) return end - remaining;
      remaining -= end - from;
    }
  }
  throw new Error('unreachable: the interval generators end by throwing');
}

/**
 * Business time (ms) between `a` and `b`: the open time the calendar has in [a, b); negative
 * when `b` is before `a`.
 */
export function businessTimeBetween(calendar: BusinessCalendar, a: number, b: number): number {
  if (calendar.alwaysOpen) return b - a;
  if (b < a) return -businessTimeBetween(calendar, b, a);
  let total = 0;
  for (const [from, end] of forward(calendar, a)) {
    if (from >= b) break;
    total += Math.min(end, b) - from;
  }
  return total;
}

/** True when the millisecond ending at `t` is open: `t` is inside an interval or at its closing time. */
export function isBusinessInstant(calendar: BusinessCalendar, t: number): boolean {
  return businessTimeBetween(calendar, t - 1, t) === 1;
}
