import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createProbes } from '../http/probes.ts';
import { CLI_BIN, runCli } from '../testing/cli.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import { freePort } from '../testing/private-postgres.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import { DELIVER_JOB } from '../webhooks/delivery-job.ts';
import type { EndpointId } from '../webhooks/ids.ts';
import { emit } from '../webhooks/testing/events.ts';
import { LOOPBACK_ENV, tenantWithEndpoint } from '../webhooks/testing/harness.ts';
import { startReceiver } from '../webhooks/testing/receiver.ts';
import { buildApp } from './app.ts';
import type { Receiver } from '../webhooks/testing/receiver.ts';

/** A `securebase` role as a real process, with its probe server on a port of its own. */
interface RoleProcess {
  child: ChildProcess;
  probeUrl: string;
  exited: Promise<number | null>;
  output(): string;
}

async function startRole(args: string[], env: Record<string, string | undefined>): Promise<RoleProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', HEALTH_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, probeUrl: `http://127.0.0.1:${port}`, exited, output: () => output };
}

/** The status and `status` field of a probe; null while the process does not answer. */
async function probe(url: string): Promise<{ code: number; status: string } | null> {
  try {
    const response = await fetch(url);
    return { code: response.status, status: ((await response.json()) as { status: string }).status };
  } catch {
    return null;
  }
}

async function waitReady(role: RoleProcess): Promise<void> {
  await waitFor(
    async () => {
      if (role.child.exitCode !== null) throw new Error(`the process exited: ${role.output()}`);
      return (await probe(`${role.probeUrl}/readyz`))?.code === 200;
    },
    60_000,
    'the process to be ready',
  );
}

for (const dialect of TEST_DIALECTS) {
  describe(`the runtime contract on ${dialect}`, () => {
    let server: TestServer;
    let receiver: Receiver;
    before(async () => {
      server = await startTestServer(dialect, { env: LOOPBACK_ENV });
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await server.close();
    });

    const workerEnv = (shutdownTimeoutMs: number) => ({
      ...server.database.env,
      ...LOOPBACK_ENV,
      // Longer than the test holds a request: the job ends when the test says, not by timing out.
      WEBHOOK_TIMEOUT_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    const deliveryJobs = () =>
      server.ctx.database.db.selectFrom('jobs').selectAll().where('name', '=', DELIVER_JOB).execute();
    const messageStatus = async (webhookId: EndpointId) =>
      (
        await server.ctx.database.db
          .selectFrom('webhook_messages')
          .select('status')
          .where('endpoint_id', '=', webhookId)
          .executeTakeFirstOrThrow()
      ).status;

    /** An endpoint whose first request the test holds, and an event on its way to it. */
    async function heldDelivery(path: string) {
      const held: ServerResponse[] = [];
      receiver.on(path, (_request, response, count) => {
        if (count === 1) held.push(response);
        else response.writeHead(200).end('ok');
      });
      const tenant = await tenantWithEndpoint(server, receiver.url(path), ['*']);
      await emit(server, tenant.customerId, 'invoice.created', {
        invoice_id: 'inv_1',
        amount: 1,
        currency: 'USD',
        due_date: '2026-12-01',
      });
      return { tenant, held };
    }

    it('/readyz on the API: ready, then 503 while the schema lacks a migration, and draining once told', async () => {
      const probes = createProbes(server.ctx.database.db);
      const app = await buildApp(server.ctx, server.identity, probes);
      const readyz = async () => {
        const response = await app.inject({ method: 'GET', url: '/readyz' });
        return { code: response.statusCode, status: response.json<{ status: string }>().status };
      };
      try {
        assert.deepEqual(await readyz(), { code: 200, status: 'ready' });
        await sql`delete from securebase_migrations where name = '011_costs'`.execute(server.ctx.database.db);
        assert.deepEqual(await readyz(), { code: 503, status: 'schema behind this release: run migrate' });
        await sql`insert into securebase_migrations (name, applied_at) values ('011_costs', ${new Date().toISOString()})`.execute(
          server.ctx.database.db,
        );
        probes.drain();
        assert.deepEqual(await readyz(), { code: 503, status: 'draining' });
        assert.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200);
      } finally {
        await app.close();
      }
    });

    it('a worker answers /livez and /readyz on its health port', { timeout: 120_000 }, async () => {
      const worker = await startRole(['worker'], workerEnv(30_000));
      try {
        await waitReady(worker);
        assert.deepEqual(await probe(`${worker.probeUrl}/livez`), { code: 200, status: 'ok' });
        assert.deepEqual(await probe(`${worker.probeUrl}/readyz`), { code: 200, status: 'ready' });
      } finally {
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.output());
      }
    });

    it(
      'SIGTERM mid-job: readiness says draining at once, the job finishes, the worker exits 0',
      {
        timeout: 120_000,
      },
      async () => {
        const worker = await startRole(['worker'], workerEnv(60_000));
        await waitReady(worker);
        const { tenant, held } = await heldDelivery('/finish');
        await waitFor(() => held.length === 1, 60_000, 'the delivery on the wire');
        worker.child.kill('SIGTERM');
        await waitFor(
          async () => (await probe(`${worker.probeUrl}/readyz`))?.status === 'draining',
          60_000,
          'readiness to say draining',
        );
        assert.equal(worker.child.exitCode, null, 'the worker waits for its running job');
        held[0]?.writeHead(200).end('ok');
        assert.equal(await worker.exited, 0, worker.output());
        assert.equal(await messageStatus(tenant.webhookId), 'delivered');
        assert.deepEqual(await deliveryJobs(), []);
        assert.equal(receiver.at('/finish').length, 1, 'delivered once');
      },
    );

    it(
      'SIGTERM with a job outlasting the deadline: its lease is released, another worker delivers it at once',
      {
        timeout: 120_000,
      },
      async () => {
        const worker = await startRole(['worker'], workerEnv(8_000));
        await waitReady(worker);
        const { tenant, held } = await heldDelivery('/release');
        await waitFor(() => held.length === 1, 60_000, 'the delivery on the wire');
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.output());
        const [job] = await deliveryJobs();
        assert.equal(job?.status, 'pending', 'back in the queue, not lost');
        assert.equal(job?.locked_by, null, 'no lease to wait for');
        assert.equal(job?.attempts, 0, 'the cut-short run does not count as an attempt');
        assert.ok(new Date(job?.run_at ?? '') <= new Date(), 'due at once');
        assert.equal(await messageStatus(tenant.webhookId), 'pending');

        const next = await startRole(['worker'], workerEnv(30_000));
        try {
          await waitFor(() => receiver.at('/release').length === 2, 60_000, 'the delivery by the next worker');
          await waitFor(async () => (await messageStatus(tenant.webhookId)) === 'delivered', 60_000, 'delivered');
        } finally {
          held[0]?.destroy();
          next.child.kill('SIGTERM');
          assert.equal(await next.exited, 0, next.output());
        }
      },
    );

    it('--skip-migrations refuses a schema behind the code, naming what is missing', { timeout: 120_000 }, async () => {
      await sql`delete from securebase_migrations where name = '011_costs'`.execute(server.ctx.database.db);
      try {
        for (const role of [['worker'], ['serve', '--no-worker']]) {
          const run = await runCli([...role, '--skip-migrations'], { ...server.database.env, PORT: '0' });
          assert.equal(run.code, 1, role.join(' '));
          assert.equal(
            run.stderr.trim(),
            'securebase: the database schema is behind this release: migration 011_costs not applied; run `securebase migrate` first',
          );
        }
      } finally {
        await sql`insert into securebase_migrations (name, applied_at) values ('011_costs', ${new Date().toISOString()})`.execute(
          server.ctx.database.db,
        );
      }
    });

    it('serve and worker refuse a schema newer than the code, naming the migration', { timeout: 120_000 }, async () => {
      const future = '999_from_the_future';
      await sql`insert into securebase_migrations (name, applied_at) values (${future}, ${new Date().toISOString()})`.execute(
        server.ctx.database.db,
      );
      try {
        for (const role of [['worker'], ['serve'], ['worker', '--skip-migrations']]) {
          const run = await runCli(role, { ...server.database.env, PORT: '0' });
          assert.equal(run.code, 1, role.join(' '));
          assert.match(
            run.stderr,
            new RegExp(`^securebase: the database schema is newer than this release: .*${future}`),
          );
        }
      } finally {
        await sql`delete from securebase_migrations where name = ${future}`.execute(server.ctx.database.db);
      }
    });
  });
}

describe('the HTTP server behind a load balancer', () => {
  it('keeps idle connections longer than the balancer (60 s on AWS ALB), and streams heartbeat well within it', async () => {
    const server = await startTestServer('sqlite');
    try {
      const http = server.app.server;
      assert.equal(http.keepAliveTimeout, 65_000);
      assert.ok(http.headersTimeout > http.keepAliveTimeout, 'headers timeout above keep-alive');
      assert.equal(server.ctx.config.notificationStream.heartbeatSeconds, 15);
    } finally {
      await server.close();
    }
  });

  it('serve drains on SIGTERM: /livez on the API port until then, exit code 0', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase('sqlite');
    await database.close();
    const apiPort = await freePort();
    const serve = await startRole(['serve', '--no-worker'], {
      ...database.env,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
    });
    try {
      await waitReady(serve);
      assert.deepEqual(await probe(`http://127.0.0.1:${apiPort}/livez`), { code: 200, status: 'ok' });
      assert.deepEqual(await probe(`http://127.0.0.1:${apiPort}/readyz`), { code: 200, status: 'ready' });
    } finally {
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0, serve.output());
      rmSync(database.env.SECUREBASE_DATA_DIR, { recursive: true, force: true });
    }
  });
});
