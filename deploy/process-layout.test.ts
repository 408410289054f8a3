import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { parse } from 'yaml';
import { createIdentityService } from '../src/identity/service.ts';
import type { NotificationViewType } from '../src/notifications/schemas.ts';
import { createMemoryLiveFeed } from '../src/realtime/live-feed.ts';
import { SseClient } from '../src/notifications/stream/testing/sse-client.ts';
import { systemClock } from '../src/config/clock.ts';
import { CLI_BIN, runCli } from '../src/testing/cli.ts';
import { createTestDatabase } from '../src/testing/database.ts';
import type { TestDatabase } from '../src/testing/database.ts';
import { request } from '../src/testing/http.ts';
import { freePort } from '../src/testing/private-postgres.ts';
import { TEST_PASSWORD_HASHING } from '../src/testing/server.ts';
import { waitFor } from '../src/testing/wait.ts';
import { LOOPBACK_ENV } from '../src/webhooks/testing/harness.ts';
import { startReceiver } from '../src/webhooks/testing/receiver.ts';
import type { Receiver } from '../src/webhooks/testing/receiver.ts';

/**
 * compose.yaml's PostgreSQL layout as real processes of the compiled CLI on the local PostgreSQL:
 * `migrate` first, then its two API and two worker commands, on one fresh schema. A ticket created
 * through API 1 reaches a webhook receiver (delivered by a worker) and an SSE stream held by API 2.
 */

type Env = Record<string, string>;

/** The commands compose.yaml runs in the postgres profile, by service name. */
function composeCommands(): Record<string, string[]> {
  const compose = parse(readFileSync(new URL('../compose.yaml', import.meta.url), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; profiles?: string[] }>;
  };
  return Object.fromEntries(
    Object.entries(compose.services)
      .filter(([, service]) => service.profiles?.includes('postgres') && service.command)
      .map(([name, service]) => [name, service.command as string[]]),
  );
}

/** A long-running CLI process; its output is kept for the failure message. */
function startCli(args: string[], env: Env) {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    args,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    /** SIGTERM, as `docker compose stop` sends; the exit code. */
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
type CliProcess = ReturnType<typeof startCli>;

const skip = process.env.TEST_DATABASE_URL ? false : 'needs PostgreSQL: set TEST_DATABASE_URL';

describe('the compose postgres layout as processes: migrate, 2 API, 2 workers', { skip }, () => {
  let database: TestDatabase;
  let receiver: Receiver;
  const processes: CliProcess[] = [];
  let env: Env;

  before(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    receiver = await startReceiver();
    env = {
      PATH: process.env.PATH ?? '',
      ...database.env,
      ...LOOPBACK_ENV,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SECUREBASE_MASTER_KEY: randomBytes(32).toString('hex'),
      SHUTDOWN_TIMEOUT_MS: '10000',
    };
  });

  after(async () => {
    await Promise.all(processes.map(async (p) => p.stop()));
    await receiver?.close();
    await database?.destroy();
  });

  it(
    'delivers a ticket created through API 1 to a webhook receiver and to a stream on API 2',
    { timeout: 300_000 },
    async () => {
      const commands = composeCommands();
      const commandOf = (name: string) => {
        const command = commands[name];
        assert.ok(command, `compose.yaml runs ${name}`);
        return command;
      };
      const migrated = await runCli(commandOf('migrate'), env, 120_000);
      assert.equal(migrated.code, 0, migrated.stderr);

      const apis: string[] = [];
      for (const name of ['api-1', 'api-2']) {
        const port = await freePort();
        processes.push(startCli(commandOf(name), { ...env, PORT: String(port) }));
        apis.push(`http://127.0.0.1:${port}`);
      }
      const workerHealth: string[] = [];
      for (const name of ['worker-1', 'worker-2']) {
        const port = await freePort();
        processes.push(startCli(commandOf(name), { ...env, HEALTH_PORT: String(port) }));
        workerHealth.push(`http://127.0.0.1:${port}`);
      }
      const [api1, api2] = apis as [string, string];
      const ready = async (baseUrl: string) => {
        const answered = await fetch(`${baseUrl}/readyz`).catch(() => null);
        return answered?.status === 200;
      };
      const everyOutput = () => processes.map((p) => `$ securebase ${p.args.join(' ')}\n${p.output()}`).join('\n');
      await waitFor(
        async () => {
          assert.ok(
            processes.every((p) => p.running()),
            `a process exited:\n${everyOutput()}`,
          );
          for (const baseUrl of [...apis, ...workerHealth]) if (!(await ready(baseUrl))) return false;
          return true;
        },
        120_000,
        'both API processes and both workers ready',
      );

      const identity = createIdentityService({
        db: database.db,
        clock: systemClock,
        sessionTtlHours: 24,
        liveFeed: createMemoryLiveFeed(),
        passwordHashing: TEST_PASSWORD_HASHING,
      });
      const password = 'layout-password-0123456789';
      const tenant = await identity.createTenant({
        name: 'Layout Ltd',
        tier: 'standard',
        adminEmail: 'owner@layout.test',
        adminPassword: password,
      });
      const login = await request<{ token: string }>(api2, 'POST', '/v1/auth/login', {
        body: { email: 'owner@layout.test', password },
      });
      assert.equal(login.status, 200, login.text);
      const owner = login.body.token;
      const endpoint = await request<{ secret: string }>(api1, 'POST', '/v1/webhooks', {
        token: tenant.apiKey.key,
        body: { url: receiver.url('/layout'), events: ['ticket.created'] },
      });
      assert.equal(endpoint.status, 201, endpoint.text);

      const stream = await SseClient.open(api2, { token: owner });
      try {
        assert.equal(stream.status, 200, stream.body);
        await stream.waitFor((c) => c.named('unread_count').length === 1, 'the stream on API 2 to start', 30_000);
        const created = await request<{ id: string; reference: string }>(api1, 'POST', '/v1/support/tickets', {
          token: owner,
          body: { subject: 'Through the layout', description: 'Created on API process 1.' },
        });
        assert.equal(created.status, 201, created.text);

        await waitFor(() => receiver.at('/layout').length > 0, 120_000, 'the webhook from a worker');
        const [delivery] = receiver.at('/layout');
        const headers = Object.fromEntries(Object.entries(delivery?.headers ?? {}).map(([k, v]) => [k, String(v)]));
        const payload = new Webhook(endpoint.body.secret).verify(delivery?.body ?? '', headers) as {
          type: string;
          data: { ticket: { id: string } };
        };
        assert.equal(payload.type, 'ticket.created');
        assert.equal(payload.data.ticket.id, created.body.id);

        await stream.waitFor(
          (c) => c.named('notification.created').length > 0,
          'the requester’s notification on API 2',
          120_000,
        );
        const [notification] = stream.dataOf<NotificationViewType>('notification.created');
        assert.match(notification?.title ?? '', new RegExp(created.body.reference));
      } finally {
        await stream.close();
      }

      assert.ok(
        processes.every((p) => p.running()),
        `every process still runs:\n${everyOutput()}`,
      );
      const codes = await Promise.all(processes.map(async (p) => p.stop()));
      assert.deepEqual(codes, [0, 0, 0, 0], `every process exits cleanly on SIGTERM:\n${everyOutput()}`);
    },
  );
});
