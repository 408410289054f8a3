import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const POSTGRES_ROOT = '/usr/lib/postgresql';
const OS_USER = 'postgres';

/** A throw-away PostgreSQL cluster a test may stop and start at will (chaos tests). */
export interface PrivatePostgres {
  /** Superuser URL of the cluster's `postgres` database (trust auth on loopback). */
  url: string;
  start(): Promise<void>;
  /** `fast` ends sessions with an error; `immediate` kills the server without a clean shutdown. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Stops the cluster and deletes its directory. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL bin directory with initdb and pg_ctl, or null. */
export function findPostgresBinaries(): string | null {
  if (!existsSync(POSTGRES_ROOT)) return null;
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(POSTGRES_ROOT, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

/** Why the private cluster cannot run here, or null when it can (for `it(..., { skip })`). */
export function privatePostgresUnavailable(): string | null {
  if (!findPostgresBinaries()) return `no PostgreSQL server binaries (initdb, pg_ctl) under ${POSTGRES_ROOT}/*/bin`;
  return null;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/**
 * Creates and starts a cluster in a temporary directory on a free loopback port. PostgreSQL refuses
 * to run as root, so as root the directory is given to the `postgres` OS user and the binaries run
 * as that user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error(privatePostgresUnavailable() ?? 'no PostgreSQL binaries');
  const dir = mkdtempSync(join(tmpdir(), 'securebase-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', OS_USER]);
    const { stdout: group } = await run('id', ['-g', OS_USER]);
    chownSync(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', OS_USER, '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const data = join(dir, 'data');
  const port = await freePort();
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions']);
  // fsync off: the test kills the server, not the machine, so the page cache keeps what was written.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await pg('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '120', 'start']);
    },
    stop: async (mode) => {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '120', 'stop']);
    },
    destroy: async () => {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
