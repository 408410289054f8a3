/** The source of "now" that services receive, so tests can move time without sleeping. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock tests can set and advance. */
export function manualClock(
  start: Date = new Date('2026-01-05T10:00:00.000Z'),
): Clock & { advance(ms: number): void; set(date: Date): void } {
  let current = start.getTime();
  const clock = (() => new Date(current)) as Clock & { advance(ms: number): void; set(date: Date): void };
  clock.advance = (ms: number) => {
    current += ms;
  };
  clock.set = (date: Date) => {
    current = date.getTime();
  };
  return clock;
}
