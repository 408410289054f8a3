import { DateTime, IANAZone } from 'luxon';
import { invalidField } from '../../errors/app-error.ts';

/** Minutes after local midnight: an interval is [start, end), end up to 1440 (24:00). */
export interface BusinessInterval {
  start: number;
  end: number;
}

/** ISO weekday names, Monday first (luxon's weekday 1 … 7). */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * When a support team works: a time zone, intervals per weekday (local wall-clock times, so DST
 * moves them with the zone), and holidays as local dates. `alwaysOpen` is 24/7 (hours and holidays
 * ignored).
 */
export interface BusinessCalendar {
  id: string;
  name: string;
  timeZone: string;
  alwaysOpen: boolean;
  hours: Record<Weekday, BusinessInterval[]>;
  /** `YYYY-MM-DD` in the calendar's zone. */
  holidays: string[];
}

/** The calendar as the API reads and writes it. */
export interface CalendarDocument {
  name: string;
  time_zone: string;
  always_open?: boolean | undefined;
  hours?: Partial<Record<Weekday, Array<{ start: string; end: string }>>> | undefined;
  holidays?: string[] | undefined;
}

const noHours = (): Record<Weekday, BusinessInterval[]> =>
  Object.fromEntries(WEEKDAYS.map((day) => [day, []])) as unknown as Record<Weekday, BusinessInterval[]>;

/** The seed's support hours: Monday to Friday 09:00–18:00 UTC. */
export const DEFAULT_BUSINESS_CALENDAR: BusinessCalendar = {
  id: 'business-hours',
  name: 'Business hours (Mon–Fri 09:00–18:00 UTC)',
  timeZone: 'UTC',
  alwaysOpen: false,
  hours: {
    ...noHours(),
    ...Object.fromEntries(WEEKDAYS.slice(0, 5).map((day) => [day, [{ start: 9 * 60, end: 18 * 60 }]])),
  },
  holidays: [],
};

/** Around the clock, for critical tickets. */
export const ALWAYS_OPEN_CALENDAR: BusinessCalendar = {
  id: '24x7',
  name: '24/7',
  timeZone: 'UTC',
  alwaysOpen: true,
  hours: noHours(),
  holidays: [],
};

/** The calendars that exist before an admin defines any; an admin may replace them. */
export const BUILT_IN_CALENDARS: readonly BusinessCalendar[] = [DEFAULT_BUSINESS_CALENDAR, ALWAYS_OPEN_CALENDAR];

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Calendar ids appear in URLs and job keys. */
export const CALENDAR_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const minutesOf = (time: string): number =>
  time === '24:00' ? 1440 : Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
const timeOf = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * Validates an API calendar document into a calendar; 400 naming the field for an unknown zone,
 * a time not `HH:MM`, an inverted or empty interval, overlapping intervals on a day, a holiday
 * that is not a real `YYYY-MM-DD` date, or a calendar with no open time at all.
 */
export function parseCalendar(id: string, doc: CalendarDocument): BusinessCalendar {
  if (!CALENDAR_ID.test(id)) throw invalidField('id', 'must be 1–63 lowercase letters, digits, - or _');
  if (!IANAZone.isValidZone(doc.time_zone))
    throw invalidField('time_zone', `is not a known IANA time zone: ${doc.time_zone}`);
  const hours = noHours();
  for (const [day, intervals] of Object.entries(doc.hours ?? {})) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) throw invalidField(`hours.${day}`, 'is not a weekday name');
    const parsed = (intervals ?? []).map((interval, index) => {
      const field = `hours.${day}[${index}]`;
      if (!TIME.test(interval.start)) throw invalidField(`${field}.start`, 'must be HH:MM');
      if (!TIME.test(interval.end)) throw invalidField(`${field}.end`, 'must be HH:MM (24:00 for midnight)');
      const start = minutesOf(interval.start);
      const end = minutesOf(interval.end);
      if (end <= start) throw invalidField(field, `ends (${interval.end}) at or before it starts (${interval.start})`);
      return { start, end };
    });
    parsed.sort((a, b) => a.start - b.start);
    for (let i = 1; i < parsed.length; i += 1) {
      const previous = parsed[i - 1] as BusinessInterval;
      const current = parsed[i] as BusinessInterval;
      if (current.start < previous.end) {
        throw invalidField(
          `hours.${day}`,
          `has overlapping intervals ${timeOf(previous.start)}–${timeOf(previous.end)} and ${timeOf(current.start)}–${timeOf(current.end)}`,
        );
      }
    }
    hours[day as Weekday] = parsed;
  }
  const holidays = [...new Set(doc.holidays ?? [])].sort();
  holidays.forEach((holiday, index) => {
    if (!DATE.test(holiday) || !DateTime.fromISO(holiday, { zone: doc.time_zone }).isValid) {
      throw invalidField(`holidays[${index}]`, `must be a date as YYYY-MM-DD: ${holiday}`);
    }
  });
  const alwaysOpen = doc.always_open ?? false;
  if (!alwaysOpen && WEEKDAYS.every((day) => hours[day].length === 0)) {
    throw invalidField('hours', 'must open at least one interval a week (or set always_open)');
  }
  return { id, name: doc.name, timeZone: doc.time_zone, alwaysOpen, hours, holidays };
}

/** The calendar as the API shows it. */
export function calendarDocument(calendar: BusinessCalendar): Required<CalendarDocument> & { id: string } {
  return {
    id: calendar.id,
    name: calendar.name,
    time_zone: calendar.timeZone,
    always_open: calendar.alwaysOpen,
    hours: Object.fromEntries(
      WEEKDAYS.map((day) => [day, calendar.hours[day].map((i) => ({ start: timeOf(i.start), end: timeOf(i.end) }))]),
    ),
    holidays: calendar.holidays,
  };
}
