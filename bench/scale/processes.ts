// The product's own processes for bench/scale, started as an operator starts them: the compiled CLI
// (bin/securebase.js over dist/), `serve --no-worker` for an API and `worker` for a job runner, each
// on the bench's database through the environment. Each names its PostgreSQL connections
// (application_name), so the database's CPU can be told apart by the process it works for.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { stopChildProcess } from '../../src/testing/api-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/securebase.js', import.meta.url));

/** Compiles dist/ when a source is newer than it, as `npm test` does, so the bench runs the code on disk. */
export function buildIfStale(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status})`);
}

export interface ProductProcess {
  /** `api 1`, `worker 2`: also the application_name of its database connections, with `_` for spaces. */
  label: string;
  child: ChildProcess;
  pid: number;
  /** The API's port; 0 for a worker. */
  port: number;
  errors: LoggedErrors;
}

// A bench that fails half-way leaves none of its processes running.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The application_name a process's database connections carry. */
export const applicationName = (label: string) => `scale_${label.replace(' ', '_')}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The error-level lines a process logged: how many, and the first one's message. */
export interface LoggedErrors {
  count: number;
  first: string | null;
}

/**
 * Starts `node bin/securebase.js <args>` and resolves once its stdout shows the line `ready` (the
 * one the CLI prints when it serves, or the worker's start log); from then on its log is read for
 * errors only.
 */
async function startCli(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: string,
  port = 0,
): Promise<ProductProcess> {
  const databaseUrl = new URL(env.DATABASE_URL ?? '');
  databaseUrl.searchParams.set('application_name', applicationName(label));
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL: databaseUrl.href, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const errors: LoggedErrors = { count: 0, first: null };
  const lines = createInterface({ input: child.stdout as Readable });
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return;
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    if ((entry.level ?? 0) < 50) return;
    errors.count += 1;
    errors.first ??= [entry.msg, entry.err?.message].filter(Boolean).join(': ');
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${label} exited with ${code} before it was ready`));
    const onLine = (line: string) => {
      if (!line.includes(ready)) return;
      lines.removeListener('line', onLine);
      child.removeListener('exit', onExit);
      resolve();
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
  return { label, child, pid: child.pid ?? 0, port, errors };
}

/** An API process: `serve --no-worker` on a free loopback port. */
export async function startApi(label: string, env: NodeJS.ProcessEnv): Promise<ProductProcess> {
  return startCli(label, ['serve', '--no-worker'], env, 'SecureBase is serving on', await freePort());
}

/** A worker process: `worker`, ready at its "worker started" log line (LOG_LEVEL info). */
export function startWorker(label: string, env: NodeJS.ProcessEnv): Promise<ProductProcess> {
  return startCli(label, ['worker'], { ...env, LOG_LEVEL: 'info' }, '"worker started"');
}

/** Stops a process as an operator would (SIGTERM: it finishes in-flight work), SIGKILL after 10 s. */
export const stopProcess = ({ child }: ProductProcess): Promise<void> => stopChildProcess(child);
