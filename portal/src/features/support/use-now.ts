import { formatRelative } from '../../ui/format.ts';
import { useEffect, useState } from 'react';

/** The current time, refreshed every `intervalMs`, so time-left badges count down while the page is open. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * "5 minutes ago" for something that has happened: `now` ticks only now and then, so an event
 * newer than it reads "now" rather than "in 4 seconds".
 */
export function formatPast(iso: string, now: number): string {
  return formatRelative(iso, Math.max(now, Date.parse(iso)));
}
