import { randomFillSync } from 'node:crypto';

let lastUuid = '';

// Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

function format(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A UUID version 7: time-ordered, so new rows land at the end of indexes and ids sort by
 * creation time, which cursor pagination relies on as a tiebreaker. Strictly increasing within
 * this process: within one millisecond the random tail is bumped instead of re-drawn, so rows
 * written together (comments, history, events of one transaction) keep their order.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = random16();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let id = format(bytes.toString('hex'));
  if (id <= lastUuid) {
    const bumped = (BigInt(`0x${lastUuid.replaceAll('-', '')}`) + 1n).toString(16).padStart(32, '0');
    id = format(bumped);
  }
  lastUuid = id;
  return id;
}

/** A prefixed identifier such as `evt_…`, readable in logs and webhook payloads. */
export function prefixedId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${uuidv7(now).replaceAll('-', '')}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the value has UUID syntax (any version). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

declare const brand: unique symbol;

/**
 * A string id that only its own kind of value can be passed as: a `TicketId` is not accepted
 * where a `CustomerId` goes. Ids are branded where they enter (route params after validation,
 * rows read from storage) with a plain cast; the brand costs nothing at run time.
 */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };
