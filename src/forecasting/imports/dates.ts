/**
 * The day a usage timestamp belongs to: the UTC calendar day of the usage start. Billing exports
 * write `2026-10-01T13:00:00Z`, `2026-10-01T13:00:00.000Z`, `2026-10-01T15:00:00+02:00` or
 * `2026-10-01 13:00:00` (no zone: UTC, as AWS writes it), or a bare `2026-10-01`.
 */

/** A usage start: its UTC day (YYYY-MM-DD) and instant (ms since the epoch). */
export interface UsageStart {
  day: string;
  epochMs: number;
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

const DAY_MS = 86_400_000;

/** The usage start of a cell, or null when it is not a real date and time. */
export function parseUsageStart(text: string): UsageStart | null {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const dayOfMonth = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || dayOfMonth < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month - 1, dayOfMonth, hour, minute, second);
  // Date.UTC rolls 2026-02-30 over into March: a day that does not exist is not a date.
  if (new Date(Date.UTC(year, month - 1, dayOfMonth)).getUTCDate() !== dayOfMonth) return null;
  const epochMs = local - offsetMinutes(zone) * 60_000;
  const day = new Date(Math.floor(epochMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  return { day, epochMs };
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || /^(z|utc)$/i.test(zone)) return 0;
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  const hours = Number(digits.slice(1, 3));
  const minutes = digits.length > 3 ? Number(digits.slice(3, 5)) : 0;
  return sign * (hours * 60 + minutes);
}
