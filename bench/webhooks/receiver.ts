// The benchmark's webhook receiver, in its own process: /ok/<n> answers 200 at once and records
// commit→receipt latency from the body's data.t (ms since epoch, set by the producer inside the
// event's transaction) or, for events the product emits itself (bench/scale), from the message's
// timestamp (the event's creation time in its transaction); /hang/<n> never answers (the noisy
// neighbours). Reports over IPC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let latencies: number[] = [];
let first = 0;
let last = 0;
const server = createServer((req, res) => {
  if (req.url?.startsWith('/hang/')) return; // never answers; the sender's deadline cuts it
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
    try {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        timestamp?: string;
        data?: { t?: number };
      };
      const t = message.data?.t ?? (message.timestamp === undefined ? undefined : Date.parse(message.timestamp));
      if (typeof t === 'number' && !Number.isNaN(t)) {
        latencies.push(now - t);
        if (first === 0) first = now;
        last = now;
      }
    } catch {
      // not ours
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', (message: string) => {
  if (message === 'report') {
    process.send?.({ latencies, first, last });
    latencies = [];
    first = 0;
    last = 0;
  }
});
