import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../testing/wait.ts';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { classifyError, closeSharedTransport, sendAttempt, WebhookTransport } from './transport.ts';
import type { LookupAll, SendAttemptInput } from './transport.ts';
import { DEFAULT_WEBHOOK_POLICY } from './policy.ts';
import type { WebhookNetworkPolicy } from './policy.ts';
import { nextAttemptDelay } from './retry-schedule.ts';

const DEV: WebhookNetworkPolicy = { allowHttp: true, allowPrivateCidrs: ['127.0.0.0/8'] };
const HTTP_NO_PRIVATE: WebhookNetworkPolicy = { allowHttp: true, allowPrivateCidrs: [] };
const body = Buffer.from('{"type":"ticket.created","data":{"n":"ü"}}');
const headers = { 'content-type': 'application/json', 'webhook-id': 'evt_1' };

interface Receiver {
  server: Server;
  port: number;
  url: (path: string) => string;
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: Buffer }>;
  connections: number;
  stats: Record<string, number>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, r: Receiver) => void;

/** A real HTTP receiver on 127.0.0.1 whose behaviour is chosen by path. */
async function startReceiver(routes: Record<string, Handler>): Promise<Receiver> {
  const r = { requests: [], connections: 0, stats: {} } as unknown as Receiver;
  r.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      r.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      const handler = routes[path.split('?')[0] ?? '/'];
      if (handler) handler(req, res, r);
      else res.writeHead(404).end();
    });
  });
  r.server.on('connection', () => r.connections++);
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.port = (r.server.address() as AddressInfo).port;
  r.url = (path) => `http://127.0.0.1:${r.port}${path}`;
  return r;
}

async function stop(r: Receiver): Promise<void> {
  r.server.closeAllConnections();
  await new Promise<void>((resolve) => r.server.close(() => resolve()));
}

const staticLookup =
  (table: Record<string, string[]>): LookupAll =>
  async (host) => {
    const addrs = table[host];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('sendAttempt against hostile receivers on 127.0.0.1', () => {
  let rx: Receiver;
  let target: Receiver; // a "private" service a redirect points at
  const transport = new WebhookTransport();
  const send = (path: string, extra: Partial<SendAttemptInput> = {}) =>
    transport.send({ url: rx.url(path), bodyBytes: body, headers, policy: DEV, ...extra });

  before(async () => {
    target = await startReceiver({ '/secret': (_q, res) => res.end('secret') });
    rx = await startReceiver({
      '/ok': (_q, res) => res.writeHead(200, { 'x-rx': 'yes' }).end('thanks ✓'),
      '/500': (_q, res) => res.writeHead(500).end('boom'),
      '/redirect': (_q, res) => res.writeHead(302, { location: target.url('/secret') }).end(),
      '/redirect-metadata': (_q, res) =>
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      '/never': () => undefined,
      '/trickle': (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => res.write('x'), 100);
        res.on('close', () => clearInterval(t));
      },
      '/huge': (_q, res, r) => {
        res.writeHead(200, { 'content-length': String(100 * 1024 * 1024) });
        const chunk = Buffer.alloc(64 * 1024, 97);
        let written = 0;
        const pump = () => {
          while (written < 100 * 1024 * 1024) {
            written += chunk.length;
            r.stats.hugeWritten = written;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (r.stats.hugeClosed = 1));
        pump();
      },
      '/gone': (_q, res) => res.writeHead(410).end('gone'),
      '/throttle': (_q, res) => res.writeHead(429, { 'retry-after': '120' }).end('slow down'),
    });
  });
  after(async () => {
    await transport.close();
    await stop(rx);
    await stop(target);
  });

  it('2xx: ok, exact body bytes delivered, response captured', async () => {
    const r = await send('/ok?x=1');
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(r.responseBody, 'thanks ✓');
    assert.equal(r.responseHeaders?.['x-rx'], 'yes');
    assert.equal(r.remoteAddress, '127.0.0.1');
    assert.equal(r.errorClass, undefined);
    assert.ok(r.durationMs >= 0);
    const seen = rx.requests.at(-1);
    assert.equal(seen?.path, '/ok?x=1');
    assert.deepEqual(seen?.body, body);
    assert.equal(seen?.headers['webhook-id'], 'evt_1');
    assert.equal(seen?.headers['content-length'], String(body.length));
  });

  it('500 → http_status, body kept', async () => {
    const r = await send('/500');
    assert.deepEqual([r.ok, r.status, r.errorClass, r.responseBody], [false, 500, 'http_status', 'boom']);
  });

  it('302 to a private address is not followed', async () => {
    const before = target.requests.length;
    const r = await send('/redirect');
    assert.deepEqual([r.ok, r.status, r.errorClass], [false, 302, 'http_status']);
    assert.equal(r.responseHeaders?.location, target.url('/secret'));
    const r2 = await send('/redirect-metadata');
    assert.deepEqual([r2.ok, r2.status, r2.errorClass], [false, 307, 'http_status']);
    assert.equal(target.requests.length, before, 'redirect target must never be contacted');
  });

  it('a receiver that never answers times out at timeoutMs', async () => {
    const r = await send('/never', { timeoutMs: 300 });
    assert.deepEqual([r.ok, r.errorClass], [false, 'timeout']);
    assert.ok(r.durationMs >= 290, `took ${r.durationMs}`);
  });

  it('a receiver that trickles one byte every 100 ms is cut off at timeoutMs', async () => {
    const r = await send('/trickle', { timeoutMs: 350 });
    assert.deepEqual([r.ok, r.status, r.errorClass], [false, 200, 'timeout']);
    assert.ok(r.durationMs >= 340, `took ${r.durationMs}`);
  });

  it('a 100 MB body: only 4 KiB read, connection dropped, memory-bounded', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const r = await send('/huge');
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(r.responseBody.length, 4096);
    assert.equal(r.responseTruncated, true);
    await waitFor(() => rx.stats.hugeClosed === 1, 10_000, 'the server to see the connection closed');
    const written = rx.stats.hugeWritten ?? 0;
    assert.ok(written < 16 * 1024 * 1024, `server managed to write ${written} bytes`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 32 * 1024 * 1024, 'heap grew too much');
  });

  it('410 → http_status and the schedule says gone', async () => {
    const r = await send('/gone');
    assert.deepEqual([r.ok, r.status, r.errorClass], [false, 410, 'http_status']);
    const d = nextAttemptDelay({
      attempt: 1,
      outcome: { ...r, retryAfterHeader: null },
      random: () => 0.5,
      now: new Date(),
    });
    assert.equal(d.verdict, 'gone');
  });

  it('429 with Retry-After → header surfaced and honoured by the schedule', async () => {
    const r = await send('/throttle');
    assert.deepEqual([r.ok, r.status, r.errorClass], [false, 429, 'http_status']);
    assert.equal(r.responseHeaders?.['retry-after'], '120');
    const d = nextAttemptDelay({
      attempt: 1,
      outcome: { errorClass: r.errorClass, status: r.status, retryAfterHeader: r.responseHeaders?.['retry-after'] },
      random: () => 0.5,
      now: new Date(),
    });
    assert.equal(d.delayMs, 120_000);
  });

  it('reuses keep-alive connections per pinned origin', async () => {
    const fresh = new WebhookTransport({ connectionsPerOrigin: 4 });
    const before = rx.connections;
    for (let i = 0; i < 20; i++)
      assert.equal((await fresh.send({ url: rx.url('/ok'), bodyBytes: body, headers, policy: DEV })).ok, true);
    // undici frees a socket a tick after the body ends, so a back-to-back attempt may open a second
    assert.ok(rx.connections - before <= 2, `20 sequential attempts opened ${rx.connections - before} sockets`);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => fresh.send({ url: rx.url('/ok'), bodyBytes: body, headers, policy: DEV })),
    );
    assert.ok(results.every((r) => r.ok));
    assert.ok(rx.connections - before <= 4, `opened ${rx.connections - before} sockets`);
    assert.equal(fresh.poolCount, 1);
    await fresh.close();
    assert.equal(fresh.poolCount, 0);
  });

  it('drops headers that would break framing and refuses header injection', async () => {
    const r = await send('/ok', { headers: { host: 'evil.example', 'content-length': '1', 'x-ok': 'v' } });
    assert.equal(r.ok, true);
    const seen = rx.requests.at(-1);
    assert.equal(seen?.headers.host, `127.0.0.1:${rx.port}`);
    assert.equal(seen?.headers['x-ok'], 'v');
    const count = rx.requests.length;
    const bad = await send('/ok', { headers: { 'x-bad': 'a\r\nx-injected: 1' } });
    assert.deepEqual([bad.ok, bad.errorClass], [false, 'blocked']);
    const badName = await send('/ok', { headers: { 'bad name': 'v' } });
    assert.equal(badName.errorClass, 'blocked');
    assert.equal(rx.requests.length, count);
  });
});

describe('sendAttempt failures before a response', () => {
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver({ '/ok': (_q, res) => res.end('ok') });
  });
  after(async () => {
    await closeSharedTransport();
    await stop(rx);
  });

  it('connection refused → connect', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const r = await sendAttempt({ url: `http://127.0.0.1:${port}/`, bodyBytes: body, headers, policy: DEV });
    assert.deepEqual([r.ok, r.errorClass], [false, 'connect']);
    assert.match(r.errorMessage ?? '', /ECONNREFUSED/);
  });

  it('an unresolvable host → dns', async () => {
    const r = await sendAttempt({
      url: 'http://does-not-exist.invalid/',
      bodyBytes: body,
      headers,
      policy: DEV,
      timeoutMs: 5000,
    });
    assert.deepEqual([r.ok, r.errorClass], [false, 'dns']);
  });

  it('a resolver that hangs is cut off by the attempt deadline → timeout', async () => {
    const t = new WebhookTransport({ lookup: () => new Promise(() => undefined) });
    const r = await t.send({ url: 'https://slow-dns.example/', bodyBytes: body, headers, policy: DEV, timeoutMs: 200 });
    assert.deepEqual([r.ok, r.errorClass], [false, 'timeout']);
    await t.close();
  });

  it('a resolver returning nothing → dns', async () => {
    const t = new WebhookTransport({ lookup: async () => [] });
    const r = await t.send({ url: 'https://empty.example/', bodyBytes: body, headers, policy: DEV });
    assert.deepEqual([r.ok, r.errorClass], [false, 'dns']);
    await t.close();
  });

  for (const [name, url, policy] of [
    ['https loopback, default policy', 'https://127.0.0.1:PORT/ok', DEFAULT_WEBHOOK_POLICY],
    ['http loopback, default policy', 'http://127.0.0.1:PORT/ok', DEFAULT_WEBHOOK_POLICY],
    ['http loopback, http allowed but no private CIDRs', 'http://127.0.0.1:PORT/ok', HTTP_NO_PRIVATE],
    ['decimal loopback literal', 'http://2130706433:PORT/ok', HTTP_NO_PRIVATE],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:PORT/ok', HTTP_NO_PRIVATE],
    ['localhost, default policy', 'http://localhost:PORT/ok', DEFAULT_WEBHOOK_POLICY],
    [
      'localhost resolved by the real resolver',
      'http://localhost:PORT/ok',
      { ...HTTP_NO_PRIVATE, allowHostnames: ['localhost'] },
    ],
    ['credentials in URL', 'http://u:p@127.0.0.1:PORT/ok', DEV],
  ] as const) {
    it(`blocked without connecting: ${name}`, async () => {
      const before = rx.connections;
      const r = await sendAttempt({ url: url.replace('PORT', String(rx.port)), bodyBytes: body, headers, policy });
      assert.deepEqual([r.ok, r.errorClass], [false, 'blocked']);
      assert.ok(r.errorMessage);
      assert.equal(r.status, undefined);
      assert.equal(rx.connections, before, 'no connection may be made');
    });
  }

  it('DNS pinning: connects to the vetted address, Host keeps the name, every attempt re-resolves', async () => {
    const table: Record<string, string[]> = { 'hook.example': ['127.0.0.1'] };
    let lookups = 0;
    const lookup: LookupAll = async (h) => (lookups++, staticLookup(table)(h));
    const t = new WebhookTransport({ lookup });
    const url = `http://hook.example:${rx.port}/ok`;
    const r = await t.send({ url, bodyBytes: body, headers, policy: DEV });
    assert.equal(r.ok, true);
    assert.equal(r.remoteAddress, '127.0.0.1');
    assert.equal(rx.requests.at(-1)?.headers.host, `hook.example:${rx.port}`);
    // the name now rebinds to a mix including a metadata address: refused, nothing sent
    table['hook.example'] = ['127.0.0.1', '169.254.169.254'];
    const before = rx.requests.length;
    const r2 = await t.send({ url, bodyBytes: body, headers, policy: DEV });
    assert.deepEqual([r2.ok, r2.errorClass], [false, 'blocked']);
    assert.match(r2.errorMessage ?? '', /169\.254\.169\.254/);
    assert.equal(rx.requests.length, before);
    assert.equal(lookups, 2);
    await t.close();
  });

  it('a public name resolving to loopback is blocked under the default-style policy', async () => {
    const t = new WebhookTransport({ lookup: staticLookup({ 'evil.example': ['93.184.216.34', '127.0.0.1'] }) });
    const before = rx.connections;
    const r = await t.send({
      url: `http://evil.example:${rx.port}/ok`,
      bodyBytes: body,
      headers,
      policy: HTTP_NO_PRIVATE,
    });
    assert.deepEqual([r.ok, r.errorClass], [false, 'blocked']);
    assert.equal(rx.connections, before);
    await t.close();
  });

  it('never throws, whatever the input', async () => {
    const t = new WebhookTransport();
    for (const url of ['', 'nonsense', 'http://[::1', 'https://example.com:99999/']) {
      const r = await t.send({ url, bodyBytes: body, headers, policy: DEV });
      assert.equal(r.ok, false);
      assert.equal(r.errorClass, 'blocked');
    }
    await t.close();
    const r = await t.send({ url: rx.url('/ok'), bodyBytes: body, headers, policy: DEV });
    assert.deepEqual([r.ok, r.errorClass], [false, 'connect'], 'a closed transport reports instead of throwing');
  });
});

describe('sendAttempt against raw-socket receivers', () => {
  /** A TCP server that behaves however `onSocket` says, below the HTTP layer. */
  async function rawServer(onSocket: (socket: Socket) => void) {
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      onSocket(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const close = () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      return closed;
    };
    return { port, close };
  }
  const t = new WebhookTransport();
  after(() => t.close());

  it('trickled status line and headers are cut off at timeoutMs → timeout', async () => {
    let writtenAtClose: number | null = null;
    let headerLength = 0;
    const srv = await rawServer((socket) => {
      const text = 'HTTP/1.1 200 OK\r\nX-Slow: ' + 'a'.repeat(100);
      let i = 0;
      const timer = setInterval(() => (i < text.length ? socket.write(text[i++] ?? '') : undefined), 50);
      socket.on('close', () => {
        clearInterval(timer);
        writtenAtClose = i;
        headerLength = text.length;
      });
    });
    const r = await t.send({
      url: `http://127.0.0.1:${srv.port}/`,
      bodyBytes: body,
      headers,
      policy: DEV,
      timeoutMs: 300,
    });
    assert.deepEqual([r.ok, r.errorClass], [false, 'timeout']);
    // Cut off by the timeout, not by the end of the trickle: checked on state, not on elapsed time,
    // which a loaded machine stretches.
    assert.ok(r.durationMs >= 290, `took ${r.durationMs}`);
    await waitFor(() => writtenAtClose !== null, 10_000, 'the client to hang up');
    assert.ok((writtenAtClose ?? Infinity) < headerLength, `${writtenAtClose} of ${headerLength} bytes sent`);
    await srv.close();
  });

  it('a receiver that hangs up without answering → connect', async () => {
    const srv = await rawServer((socket) => {
      socket.once('data', () => socket.destroy());
    });
    const r = await t.send({ url: `http://127.0.0.1:${srv.port}/`, bodyBytes: body, headers, policy: DEV });
    assert.deepEqual([r.ok, r.errorClass], [false, 'connect']);
    await srv.close();
  });

  it('garbage instead of HTTP → connect, not a throw', async () => {
    const srv = await rawServer((socket) => {
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.0\r\n'));
    });
    const r = await t.send({ url: `http://127.0.0.1:${srv.port}/`, bodyBytes: body, headers, policy: DEV });
    assert.equal(r.ok, false);
    assert.equal(r.errorClass, 'connect');
    await srv.close();
  });

  it('a body of exactly 4 KiB is kept whole; multi-byte text is cut at 4 KiB bytes', async () => {
    const exact = 'a'.repeat(4096);
    const multi = 'é'.repeat(3000); // 6000 bytes
    const srv = await startReceiver({
      '/exact': (_q, res) => res.end(exact),
      '/multi': (_q, res) => res.end(multi),
    });
    const r1 = await t.send({ url: srv.url('/exact'), bodyBytes: body, headers, policy: DEV });
    assert.equal(r1.responseBody, exact);
    assert.equal(r1.responseTruncated, undefined);
    const r2 = await t.send({ url: srv.url('/multi'), bodyBytes: body, headers, policy: DEV, maxResponseBytes: 4096 });
    assert.equal(Buffer.byteLength(r2.responseBody.replace(/\uFFFD$/, '')), 4096);
    assert.equal(r2.responseTruncated, true);
    await stop(srv);
  });

  it('IPv6 loopback receiver is reached through a pinned [::1] when allowed', async (ctx) => {
    const server = createServer((req, res) => req.resume().on('end', () => res.end('v6')));
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!ok) return ctx.skip('no IPv6 loopback');
    const port = (server.address() as AddressInfo).port;
    const policy = { allowHttp: true, allowPrivateCidrs: ['::1/128'] };
    const r = await t.send({ url: `http://[::1]:${port}/`, bodyBytes: body, headers, policy });
    assert.deepEqual([r.ok, r.responseBody, r.remoteAddress], [true, 'v6', '::1']);
    const blocked = await t.send({ url: `http://[::1]:${port}/`, bodyBytes: body, headers, policy: DEV });
    assert.equal(blocked.errorClass, 'blocked');
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('classifyError', () => {
  const cases: Array<[unknown, string]> = [
    [Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'dns'],
    [Object.assign(new Error('x'), { code: 'EAI_AGAIN' }), 'dns'],
    [Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), 'timeout'],
    [Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout'],
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'connect'],
    [Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'connect'],
    [Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'connect'],
    [Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'tls'],
    [Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'tls'],
    [Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), 'tls'],
    [new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ENOTFOUND' }) }), 'dns'],
    ['a string', 'connect'],
    [null, 'connect'],
  ];
  for (const [err, cls] of cases) {
    it(`${String((err as { code?: string })?.code ?? err)} → ${cls}`, () =>
      assert.equal(classifyError(err).errorClass, cls));
  }
});
