import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Kysely } from 'kysely';
import { schemaStatus } from '../database/migrations/index.ts';
import type { Database } from '../database/schema.ts';

/** Why a process cannot take work now, or that it can. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * What `/livez` and `/readyz` answer, shared by the API and the probe-only server of other roles.
 * Live: the process answers. Ready: not draining, the database answers within the time limit, and
 * it has every migration of this code. A schema newer than the code stays ready: during a rolling
 * deploy the new release migrates first (expand, then contract), and old processes keep serving.
 */
export interface Probes {
  /** From now on readiness answers "draining": the process is shutting down. */
  drain(): void;
  readonly draining: boolean;
  readiness(): Promise<Readiness>;
}

/** A load balancer's probe must get an answer even when connecting to the database hangs. */
const READY_TIMEOUT_MS = 2_000;

export function createProbes(db: Kysely<Database>, timeoutMs = READY_TIMEOUT_MS): Probes {
  let draining = false;
  return {
    drain: () => void (draining = true),
    get draining() {
      return draining;
    },
    async readiness() {
      if (draining) return { ready: false, reason: 'draining' };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<null>((resolve) => (timer = setTimeout(resolve, timeoutMs, null)));
      const status = schemaStatus(db).catch(() => null);
      try {
        const schema = await Promise.race([status, timedOut]);
        if (schema === null) return { ready: false, reason: 'database unavailable' };
        if (schema.pending.length > 0) return { ready: false, reason: 'schema behind this release: run migrate' };
        return { ready: true };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * A server answering only `GET /livez` and `GET /readyz` (JSON `{"status": …}`, 200 or 503), for
 * roles without the API (`worker`) and for a health port of its own (HEALTH_PORT).
 */
export async function startProbeServer(probes: Probes, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: string) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: body }));
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed');
    if (path === '/livez' || path === '/healthz') return reply(200, 'ok');
    if (path !== '/readyz') return reply(404, 'not found');
    void probes
      .readiness()
      .then((readiness) => reply(readiness.ready ? 200 : 503, readiness.ready ? 'ready' : readiness.reason));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
