// Notification benchmark (npm run bench:notifications), each figure beside a baseline from the same run:
// - commit → SSE receipt p50/p99 with 1,000 open streams (one per user), the API server (SQLite) in
//   a child process, beside a bare node:http SSE write loop holding as many streams;
// - server RSS with 10,000 open streams (1,000 users × 10), beside the bare server holding 10,000;
// - fan-out: notifications/s of deliverNotifications for one event concerning 1,000 users (SQLite).
// Clients are bare sockets in this process with an incremental SSE parser; loopback only. The
// file-descriptor limit is raised for both sides (`ulimit -n`, up to the hard limit).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { UserId } from '../../src/identity/tables.ts';
import { deliverNotifications } from '../../src/notifications/deliver.ts';
import type { NotificationDraft } from '../../src/notifications/deliver.ts';
import { SseParser } from '../../src/notifications/stream/testing/sse-client.ts';
import type { SseEvent } from '../../src/notifications/stream/testing/sse-client.ts';
import { createMemoryLiveFeed } from '../../src/realtime/live-feed.ts';
import { createTestDatabase } from '../../src/testing/database.ts';
import type { Command } from './server.ts';
import { runEmailBench } from './email.ts';

const LATENCY_STREAMS = 1_000;
const RSS_STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const FANOUT_USERS = 1_000;
const FANOUT_EVENTS = 10;

const now = () => performance.timeOrigin + performance.now();
const pct = (sorted: number[], q: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) : NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

interface Server {
  child: ChildProcess;
  port: number;
  ask<T>(command: Command): Promise<T>;
}

/** Starts bench/notifications/server.ts in MODE, with the file-descriptor limit raised. */
async function startServer(mode: 'app' | 'bare'): Promise<Server> {
  const script = fileURLToPath(new URL('./server.ts', import.meta.url));
  const child = spawn('bash', ['-c', `ulimit -n $(ulimit -Hn); exec "${process.execPath}" --import tsx "${script}"`], {
    env: { ...process.env, MODE: mode },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending: ((message: unknown) => void)[] = [];
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  child.on('message', (message) => pending.shift()?.(message));
  return {
    child,
    port,
    ask: <T>(command: Command) =>
      new Promise<T>((resolve) => {
        pending.push(resolve as (message: unknown) => void);
        child.send(command);
      }),
  };
}

/**
 * Opens one SSE stream on a bare socket; resolves once its first event arrived. HTTP/1.0, so the
 * body comes without chunked framing.
 */
function openStream(port: number, token: string | null, onEvent: (event: SseEvent) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const parser = new SseParser();
    let headersDone = false;
    let buffered = '';
    let first = true;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      let body = text;
      if (!headersDone) {
        buffered += text;
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!/^HTTP\/1\.[01] 200/.test(buffered)) reject(new Error(buffered.split('\r\n')[0]));
        headersDone = true;
        body = buffered.slice(end + 4);
      }
      for (const event of parser.push(body)) {
        if (first) {
          first = false;
          resolve(socket);
        }
        onEvent(event);
      }
    });
    socket.once('error', reject);
    socket.write(
      `GET ${token ? '/v1/notifications/stream' : '/'} HTTP/1.0\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n${
        token ? `authorization: Bearer ${token}\r\n` : ''
      }\r\n`,
    );
  });
}

async function openMany(count: number, open: (index: number) => Promise<Socket>): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, count - start) }, (_, offset) => open(start + offset)),
    );
    sockets.push(...batch);
  }
  return sockets;
}

async function fanout(): Promise<number> {
  const database = await createTestDatabase('sqlite');
  const liveFeed = createMemoryLiveFeed();
  const users = Array.from({ length: FANOUT_USERS }, (_, index) => `user-${index}` as UserId);
  const draft = (userId: UserId, event: number): NotificationDraft => ({
    userId,
    customerId: 'cus_bench',
    type: 'support',
    priority: 'high',
    title: `Ticket SB-${event} was created`,
    body: 'A customer opened a critical ticket.',
    actionUrl: `/support/SB-${event}`,
    groupKey: null,
    sourceEventId: `evt-${event}`,
  });
  // One warm-up event, then the measured ones.
  await database.db.transaction().execute((trx) =>
    deliverNotifications(
      trx,
      users.map((u) => draft(u, -1)),
      { now: new Date(), liveFeed },
    ),
  );
  const started = performance.now();
  for (let event = 0; event < FANOUT_EVENTS; event += 1) {
    await database.db.transaction().execute((trx) =>
      deliverNotifications(
        trx,
        users.map((u) => draft(u, event)),
        { now: new Date(), liveFeed },
      ),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await database.destroy();
  return (FANOUT_EVENTS * FANOUT_USERS) / seconds;
}

async function bareRun(): Promise<{ p50: number; p99: number; rss: number }> {
  const server = await startServer('bare');
  const latencies: number[] = [];
  const onEvent = (event: SseEvent) => {
    if (event.event === 'notification.created') latencies.push(now() - (JSON.parse(event.data) as { t: number }).t);
  };
  const sockets = await openMany(LATENCY_STREAMS, () => openStream(server.port, null, onEvent));
  for (let n = 0; n < SAMPLES; n += 1) {
    server.child.send({ cmd: 'send', index: Math.floor(Math.random() * LATENCY_STREAMS), n } satisfies Command);
    await sleep(5);
  }
  while (latencies.length < SAMPLES) await sleep(20);
  sockets.push(...(await openMany(RSS_STREAMS - LATENCY_STREAMS, () => openStream(server.port, null, () => {}))));
  await sleep(1_000);
  const { rss } = await server.ask<{ rss: number }>({ cmd: 'rss' });
  for (const socket of sockets) socket.destroy();
  server.child.kill();
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), rss };
}

async function appRun(): Promise<{ p50: number; p99: number; rss: number; idleRss: number }> {
  const server = await startServer('app');
  const idleRss = (await server.ask<{ rss: number }>({ cmd: 'rss' })).rss;
  const { users } = await server.ask<{ users: { userId: string; token: string }[] }>({
    cmd: 'users',
    count: LATENCY_STREAMS,
  });
  const received = new Map<string, number>();
  const onEvent = (event: SseEvent) => {
    if (event.event === 'notification.created') received.set((JSON.parse(event.data) as { id: string }).id, now());
  };
  const sockets = await openMany(LATENCY_STREAMS, (index) =>
    openStream(server.port, users[index]?.token ?? '', onEvent),
  );
  const committed = new Map<string, number>();
  for (let n = 0; n < SAMPLES; n += 1) {
    const user = users[Math.floor(Math.random() * users.length)];
    const result = await server.ask<{ id: string; committedAt: number }>({
      cmd: 'deliver',
      userId: user?.userId ?? '',
      n,
    });
    committed.set(result.id, result.committedAt);
    await sleep(5);
  }
  const deadline = Date.now() + 10_000;
  while (received.size < committed.size && Date.now() < deadline) await sleep(20);
  const latencies = [...committed].map(([id, at]) => (received.get(id) ?? Infinity) - at).sort((a, b) => a - b);
  sockets.push(
    ...(await openMany(RSS_STREAMS - LATENCY_STREAMS, (index) =>
      openStream(server.port, users[index % users.length]?.token ?? '', () => {}),
    )),
  );
  await sleep(1_000);
  const { rss } = await server.ask<{ rss: number }>({ cmd: 'rss' });
  for (const socket of sockets) socket.destroy();
  server.child.kill();
  return { p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), rss, idleRss };
}

console.log(`notification bench: ${LATENCY_STREAMS} streams for latency (${SAMPLES} samples), ${RSS_STREAMS} for RSS`);
const bare = await bareRun();
const app = await appRun();
const rate = await fanout();
console.log('');
console.log('measure | SecureBase | baseline');
console.log('---|---|---');
console.log(
  `commit → SSE receipt p50 / p99, ${LATENCY_STREAMS} streams | ${ms(app.p50)} / ${ms(app.p99)} | bare SSE write → receipt ${ms(bare.p50)} / ${ms(bare.p99)}`,
);
console.log(
  `server RSS, ${RSS_STREAMS} open streams | ${mib(app.rss)} (idle ${mib(app.idleRss)}) | bare node:http SSE server ${mib(bare.rss)}`,
);
console.log(`fan-out, one event to ${FANOUT_USERS} users (SQLite) | ${Math.round(rate)} notifications/s | -`);
const mail = await runEmailBench({ emails: Number(process.env.BENCH_EMAILS ?? 2_000) });
console.log(
  `emails to a local SMTP server (${mail.emails}, SQLite) | ${Math.round(mail.oursPerSecond)} emails/s | bare nodemailer pool ${Math.round(mail.baselinePerSecond)} emails/s`,
);
process.exit(0);
