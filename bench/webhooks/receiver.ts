// The benchmark's webhook receiver, in its own process: /<phase>/ok/<n> answers 200 at once and
// records commit→receipt latency from the body's data.t (ms since epoch, set by the producer inside
// the event's transaction) or, for events the product emits itself (bench/scale), from the message's
// timestamp (the event's creation time in its transaction), under its phase; /<phase>/hang/<n> never answers (the noisy neighbours).
// Reports one phase's receipts over IPC, so a late delivery of an earlier phase never counts in a
// later one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Receipts {
  latencies: number[];
  first: number;
  last: number;
}

const phases = new Map<string, Receipts>();
const receiptsOf = (phase: string): Receipts => {
  let receipts = phases.get(phase);
  if (!receipts) phases.set(phase, (receipts = { latencies: [], first: 0, last: 0 }));
  return receipts;
};

const server = createServer((req, res) => {
  const [, phase = '', kind] = (req.url ?? '').split('/');
  if (kind === 'hang') return; // never answers; the sender's deadline cuts it
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
        const receipts = receiptsOf(phase);
        receipts.latencies.push(now - t);
        if (receipts.first === 0) receipts.first = now;
        receipts.last = now;
      }
    } catch {
      // not ours
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
// Hands over, and forgets, what the phase received since its last report.
process.on('message', (phase: string) => {
  process.send?.(receiptsOf(phase));
  phases.delete(phase);
});
