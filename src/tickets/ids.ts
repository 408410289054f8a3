import { uuidv7 } from '../database/ids.ts';

let last = '';

/**
 * A UUIDv7 strictly greater than the previous one this process made. Comments and history list
 * by (created_at, id); plain v7 ids are random within a millisecond, which would shuffle entries
 * written in the same millisecond. Bumps the random tail when the clock has not moved on.
 */
export function monotonicUuidv7(now: number = Date.now()): string {
  let id = uuidv7(now);
  if (id <= last) {
    const hex = last.replaceAll('-', '');
    const bumped = (BigInt(`0x${hex}`) + 1n).toString(16).padStart(32, '0');
    id = `${bumped.slice(0, 8)}-${bumped.slice(8, 12)}-${bumped.slice(12, 16)}-${bumped.slice(16, 20)}-${bumped.slice(20)}`;
  }
  last = id;
  return id;
}
