/**
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events"). Data is one line of JSON:
 * JSON.stringify escapes every line break, so no payload can end an event early.
 */

/** One event; `id` becomes the client's Last-Event-ID when it reconnects. */
export function sseEvent(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: ignored by clients, it keeps proxies and load balancers from timing the stream out. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** How long a client waits before reconnecting after the stream drops. */
export function sseRetry(milliseconds: number): string {
  return `retry: ${milliseconds}\n\n`;
}

/**
 * The resume point a client sent: a non-negative integer sequence, `undefined` when it sent none,
 * `null` when what it sent is not a sequence (it then gets a resync).
 */
export function parseLastEventId(header: string | string[] | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) return null;
  return Number(value.trim());
}
