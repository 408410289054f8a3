// API benchmark: ticket create and list-50 on the embedded default (SQLite) at 100 connections,
// beside a bare Fastify route and a raw Fastify + better-sqlite3 route (synchronous NORMAL and FULL) measured in the same run,
// plus p99 at a fixed 1,000 requests/s (10 connections) and the server's peak RSS; then full-text search on
// 100,000 tickets and 1 MiB uploads (search-and-uploads.ts).
// Usage: npm run bench:api [-- --seconds N] [--only search | --only create-list] [--profile DIR]
// --only create-list: the baselines and the app's create and list-50 at 100 connections, nothing else.
// --profile DIR: a CPU profile of the app server per phase in DIR (NAME.cpuprofile), summarised by
// bench/cpu-profile.ts.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { formatSummary, summariseProfile } from '../cpu-profile.ts';
import { processCpuMicros } from '../process-cpu.ts';
import { benchSearchAndUploads } from './search-and-uploads.ts';
import { TICKET } from './seed-tickets.ts';

const optionOf = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const DURATION = Number(optionOf('--seconds') ?? 10);
const ONLY = optionOf('--only');
const PROFILE_DIR = optionOf('--profile');

interface Started {
  child: ChildProcess;
  port: number;
  apiKey?: string;
}

function start(kind: string, ...args: string[]): Promise<Started> {
  const child = fork(new URL('./servers.ts', import.meta.url), [kind, ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...(PROFILE_DIR ? { BENCH_PROFILE_DIR: PROFILE_DIR } : {}) },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number; apiKey?: string }) => resolve({ child, ...message }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

<<<<<<< HEAD
=======
const TICKET = JSON.stringify({
  subject: 'Benchmark ticket subject',
  description: 'A description long enough to pass validation rules.',
  priority: 'high',
  category: 'technical',
});

/** Sends a message to a server and resolves on its answer. */
function ask(child: ChildProcess, message: object): Promise<void> {
  return new Promise((resolve) => {
    child.once('message', () => resolve());
    child.send(message);
  });
}

/**
 * Waits until the app server's worker has run every job due (the events of the tickets created);
 * prints how long that took and the server's CPU for it per request of the phase that left it.
 */
async function drain(server: Started, requests: number): Promise<void> {
  const cpuBefore = processCpuMicros(server.child.pid as number);
  const started = Date.now();
  await ask(server.child, { drain: true });
  const cpu = processCpuMicros(server.child.pid as number) - cpuBefore;
  console.log(
    `${'  then the worker drains its backlog'.padEnd(44)} ${String(Date.now() - started).padStart(7)} ms${' '.repeat(41)}CPU ${String(Math.round(cpu / Math.max(1, requests))).padStart(5)} µs/req`,
  );
}

/** A phase of the app server, profiled to PROFILE_DIR/name.cpuprofile when profiling. */
async function profiled<T>(server: Started, name: string, phase: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return phase();
  await ask(server.child, { profile: 'start' });
  const result = await phase();
  await ask(server.child, { profile: 'stop', name });
  const file = join(PROFILE_DIR, `${name}.cpuprofile`);
  console.log(`\n${file}: ${formatSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8'))), 25)}`);
  return result;
}

>>>>>>> h/apiperf
/** One load phase; with `serverPid`, also the server's CPU time per request over the phase. */
async function measure(label: string, options: autocannon.Options, serverPid?: number) {
  const cpuBefore = serverPid === undefined ? 0 : processCpuMicros(serverPid);
  const result = await autocannon({ connections: 100, duration: DURATION, ...options });
  const cpu =
    serverPid === undefined || result.requests.total === 0
      ? ''
      : `   CPU ${String(Math.round((processCpuMicros(serverPid) - cpuBefore) / result.requests.total)).padStart(5)} µs/req`;
  const non2xx = result.non2xx + result.errors;
  console.log(
    `${label.padEnd(44)} ${String(Math.round(result.requests.average)).padStart(7)} req/s   p50 ${String(result.latency.p50).padStart(4)} ms   p90 ${String(result.latency.p90).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms${cpu}${non2xx ? `   (${non2xx} non-2xx/errors)` : ''}`,
  );
  return result;
}

console.log(`bench/api: ${DURATION} s per scenario, 100 connections unless noted\n`);
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
if (ONLY === 'search') {
  await benchSearchAndUploads(measure, DURATION);
  process.exit(0);
}
const bare = await start('bare');
await measure('baseline: bare Fastify GET', { url: `http://127.0.0.1:${bare.port}/` }, bare.child.pid);
bare.child.kill();

const rawFull = await start('raw', 'FULL');
await measure(
  'baseline: raw insert, synchronous=FULL',
  {
    url: `http://127.0.0.1:${rawFull.port}/t`,
    method: 'POST',
    body: TICKET,
    headers: { 'content-type': 'application/json' },
  },
  rawFull.child.pid,
);
rawFull.child.kill();

const raw = await start('raw', 'NORMAL');
await measure(
  'baseline: raw Fastify+SQLite insert',
  {
    url: `http://127.0.0.1:${raw.port}/t`,
    method: 'POST',
    body: TICKET,
    headers: { 'content-type': 'application/json' },
  },
  raw.child.pid,
);
await measure('baseline: raw Fastify+SQLite list-50', { url: `http://127.0.0.1:${raw.port}/t` }, raw.child.pid);
raw.child.kill();

const app = await start('app');
const headers = { authorization: `Bearer ${app.apiKey}`, 'content-type': 'application/json' };
const created = await profiled(app, 'create', () =>
  measure(
    'securebase: POST /v1/support/tickets',
    {
      url: `http://127.0.0.1:${app.port}/v1/support/tickets`,
      method: 'POST',
      body: TICKET,
      headers,
    },
    app.child.pid,
  ),
);
await profiled(app, 'create-drain', () => drain(app, created.requests.total));
await profiled(app, 'list-50', () =>
  measure(
    'securebase: GET /v1/support/tickets?limit=50',
    {
      url: `http://127.0.0.1:${app.port}/v1/support/tickets?limit=50`,
      headers,
    },
    app.child.pid,
  ),
);
if (ONLY === 'create-list') {
  app.child.kill();
  process.exit(0);
}
const createdAtFixedRate = await measure(
  'securebase: create at fixed 1,000 req/s',
  {
    url: `http://127.0.0.1:${app.port}/v1/support/tickets`,
    method: 'POST',
    body: TICKET,
    headers,
    connections: 10,
    overallRate: 1000,
  },
  app.child.pid,
);
await drain(app, createdAtFixedRate.requests.total);
await measure(
  'securebase: list-50 at fixed 1,000 req/s',
  {
    url: `http://127.0.0.1:${app.port}/v1/support/tickets?limit=50`,
    headers,
    connections: 10,
    overallRate: 1000,
  },
  app.child.pid,
);
console.log(`\nsecurebase server peak RSS: ${peakRssMb(app.child.pid)} MB`);
app.child.kill();

// The SLA engine's due checks at 10,000 and 100,000 open tickets (bench/api/sla.ts).
await (await import('./sla.ts')).runSlaBench();
await (await import('./rate-limit.ts')).runRateLimitBench(DURATION);
await benchSearchAndUploads(measure, DURATION);
