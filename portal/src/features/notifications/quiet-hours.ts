// Quiet hours as the settings page edits them: a draft with an on/off switch, validated like the
// server does (HH:mm, start ≠ end, an IANA zone, at least one day), and described in one line.

/** Quiet hours as the API stores them; `days` are ISO weekdays (Monday = 1) on which a window starts. */
export interface QuietHours {
  start: string;
  end: string;
  time_zone: string;
  days: number[];
}

export interface QuietHoursDraft {
  enabled: boolean;
  start: string;
  end: string;
  timeZone: string;
  days: number[];
}

export type QuietHoursErrors = Partial<Record<'start' | 'end' | 'timeZone' | 'days', string>>;

export const WEEKDAYS: Array<{ day: number; short: string; name: string }> = [
  { day: 1, short: 'Mon', name: 'Monday' },
  { day: 2, short: 'Tue', name: 'Tuesday' },
  { day: 3, short: 'Wed', name: 'Wednesday' },
  { day: 4, short: 'Thu', name: 'Thursday' },
  { day: 5, short: 'Fri', name: 'Friday' },
  { day: 6, short: 'Sat', name: 'Saturday' },
  { day: 7, short: 'Sun', name: 'Sunday' },
];
const EVERY_DAY = WEEKDAYS.map((weekday) => weekday.day);

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether the runtime knows `zone` as a time zone (the server checks against the IANA list too). */
export function isTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zones to choose from: the runtime's IANA list, with UTC and the current choice always in it. */
export function timeZoneChoices(current: string): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  if (current) zones.add(current);
  return [...zones].sort((a, b) => a.localeCompare(b));
}

/** The editor's starting point: the saved hours, or switched off with 22:00–07:00 in the browser's zone. */
export function draftFrom(saved: QuietHours | null, defaultZone: string): QuietHoursDraft {
  if (!saved) return { enabled: false, start: '22:00', end: '07:00', timeZone: defaultZone, days: EVERY_DAY };
  return { enabled: true, start: saved.start, end: saved.end, timeZone: saved.time_zone, days: [...saved.days] };
}

/** What is wrong with an enabled draft, per field (empty when it can be saved). */
export function quietHoursErrors(draft: QuietHoursDraft): QuietHoursErrors {
  if (!draft.enabled) return {};
  const errors: QuietHoursErrors = {};
  if (!HH_MM.test(draft.start)) errors.start = 'Enter a time such as 22:00.';
  if (!HH_MM.test(draft.end)) errors.end = 'Enter a time such as 07:00.';
  else if (draft.start === draft.end) errors.end = 'Must differ from the start: a window cannot be empty or all day.';
  if (!isTimeZone(draft.timeZone)) errors.timeZone = 'Choose a time zone.';
  if (draft.days.length === 0) errors.days = 'Choose at least one day.';
  return errors;
}

/** The PUT body's `quiet_hours`: null when switched off, days in week order. */
export function quietHoursBody(draft: QuietHoursDraft): QuietHours | null {
  if (!draft.enabled) return null;
  return {
    start: draft.start,
    end: draft.end,
    time_zone: draft.timeZone,
    days: [...new Set(draft.days)].sort((a, b) => a - b),
  };
}

/** "Quiet from 22:00 to 07:00 Europe/Berlin", and the days the window starts on unless every day. */
export function describeQuietHours(quiet: QuietHours | null): string {
  if (!quiet) return 'No quiet hours: emails go out when they happen.';
  const days = [...quiet.days].sort((a, b) => a - b);
  const weekdays = days.length === 5 && days.every((day, index) => day === index + 1);
  const on =
    days.length === 7
      ? ''
      : weekdays
        ? ', starting Monday to Friday'
        : `, starting ${days.map((day) => WEEKDAYS[day - 1]?.short ?? String(day)).join(', ')}`;
  return `Quiet from ${quiet.start} to ${quiet.end} ${quiet.time_zone}${on}`;
}
