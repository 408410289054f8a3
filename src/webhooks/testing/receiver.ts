/**
 * A webhook receiver on 127.0.0.1 for tests: records every request (raw body bytes, headers,
 * arrival time) and answers with a per-path behaviour (status, headers, delay, hang, huge body).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received request. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the receiver answers a path; a function can vary per request. */
export type Behaviour = (req: Received, res: ServerResponse, count: number) => void | Promise<void>;

/** The running receiver. */
export interface Receiver {
  url(path?: string): string;
  received: Received[];
  on(path: string, behaviour: Behaviour): void;
  /** Requests received on a path. */
  at(path: string): Received[];
  close(): Promise<void>;
}

/** Answers 200 `ok`. */
export const ok: Behaviour = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
};

/** Starts a receiver on a random loopback port. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      const entry: Received = {
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      received.push(entry);
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const behaviour = behaviours.get(path) ?? ok;
      void Promise.resolve(behaviour(entry, res, n)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path, behaviour) => void behaviours.set(path, behaviour),
    at: (path) => received.filter((r) => r.path === path),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
