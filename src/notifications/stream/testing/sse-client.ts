import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Client } from 'undici';
import { waitFor } from '../../../testing/wait.ts';

/** One received Server-Sent Event. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Incremental Server-Sent Events parser (the WHATWG algorithm; `retry` values are collected): feed it text as it
 * arrives; an event counts only once its blank line arrived, so a cut stream's partial event is dropped.
 */
export class SseParser {
  comments = 0;
  /** Every reconnect delay the server sent, in order. */
  readonly retries: number[] = [];
  private buffer = '';
  private id: string | undefined;
  private event = '';
  private data: string[] = [];

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (this.data.length > 0) out.push({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) {
        this.comments += 1;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id') this.id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retries.push(Number(value));
    }
    return out;
  }
}

/**
 * A live SSE client over its own undici connection (closed with the client, so a test never leaves
 * a socket behind): collects events until closed or until the server ends the stream.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  ended = false;
  /** The body of a refused request. */
  body = '';
  private readonly parser = new SseParser();

  private constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    private readonly connection: Client,
  ) {}

  static async open(
    baseUrl: string,
    options: { token?: string; cookie?: string; lastEventId?: string } = {},
  ): Promise<SseClient> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.cookie = options.cookie;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const connection = new Client(baseUrl, { bodyTimeout: 0 });
    const response = await connection.request({ method: 'GET', path: '/v1/notifications/stream', headers });
    const client = new SseClient(response.statusCode, response.headers, connection);
    if (response.statusCode !== 200) {
      client.body = await response.body.text();
      client.ended = true;
      return client;
    }
    response.body.setEncoding('utf8');
    response.body.on('data', (text: string) => client.events.push(...client.parser.push(text)));
    response.body.on('error', () => {});
    response.body.once('close', () => {
      client.ended = true;
    });
    return client;
  }

  header(name: string): string {
    return [this.headers[name] ?? ''].flat().join(', ');
  }

  get heartbeats(): number {
    return this.parser.comments;
  }

  /** Every reconnect delay the server sent, in order. */
  get retries(): readonly number[] {
    return this.parser.retries;
  }

  /** The id of the last event that carried one: what a browser would send as Last-Event-ID. */
  get lastEventId(): string | undefined {
    for (let index = this.events.length - 1; index >= 0; index -= 1) {
      const id = this.events[index]?.id;
      if (id !== undefined) return id;
    }
    return undefined;
  }

  named(event: string): SseEvent[] {
    return this.events.filter((received) => received.event === event);
  }

  /** Data of the events of that name, parsed. */
  dataOf<T>(event: string): T[] {
    return this.named(event).map((received) => JSON.parse(received.data) as T);
  }

  async waitFor(check: (client: SseClient) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => check(this), timeoutMs, what);
  }

  /** Drops the connection at once, as a closed tab or a lost network would. */
  async close(): Promise<void> {
    await this.connection.destroy().catch(() => {});
  }
}

/**
 * A stream over a bare socket that the test can stop reading (`pause`), as a client on a slow link
 * would: the kernel's buffers fill, then the server's.
 */
export function openRawStream(baseUrl: string, token: string): { socket: Socket; closed: Promise<void> } {
  const url = new URL(baseUrl);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.write(
    `GET /v1/notifications/stream HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${token}\r\naccept: text/event-stream\r\n\r\n`,
  );
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  return { socket, closed };
}
