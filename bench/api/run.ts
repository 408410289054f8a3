// API benchmark: ticket create and list-50 on the embedded default (SQLite) at 100 connections,
// beside a bare Fastify route and a raw Fastify + better-sqlite3 route (synchronous NORMAL and FULL) measured in the same run,
// plus p99 at a fixed 1,000 requests/s (10 connections) and the server's peak RSS; then full-text search on
// 100,000 tickets and 1 MiB uploads (search-and-uploads.ts). Usage: npm run bench:api [-- --seconds N] [--only search]
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { processCpuMicros } from '../process-cpu.ts';
import { benchSearchAndUploads } from './search-and-uploads.ts';
import { TICKET } from './seed-tickets.ts';

const secondsArg = process.argv.indexOf('--seconds');
const DURATION = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;

interface Started {
  child: ChildProcess;
  port: number;
  apiKey?: string;
}

function start(kind: string, ...args: string[]): Promise<Started> {
  const child = fork(new URL('./servers.ts', import.meta.url), [kind, ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
if (process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'search') {
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
await measure(
  'securebase: POST /v1/support/tickets',
  {
    url: `http://127.0.0.1:${app.port}/v1/support/tickets`,
    method: 'POST',
    body: TICKET,
    headers,
  },
  app.child.pid,
);
await measure(
  'securebase: GET /v1/support/tickets?limit=50',
  {
    url: `http://127.0.0.1:${app.port}/v1/support/tickets?limit=50`,
    headers,
  },
  app.child.pid,
);
await measure(
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
