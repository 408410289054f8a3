// Month keys ("2026-11") as the API sends them, and their display.

const monthLabel = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

function monthStart(month: string): Date {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber - 1, 1));
}

/** "Nov 2026" in the browser's locale. */
export function formatMonth(month: string): string {
  return monthLabel.format(monthStart(month));
}
