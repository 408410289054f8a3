// The server side of the notification stream bench, in its own process (so its RSS is its own).
// MODE=app: the real API (SQLite, in-memory feed) plus IPC commands to create users and deliver
// notifications, each delivery its own transaction, answering with its commit time.
// MODE=bare: the baseline, a plain node:http server holding SSE responses and writing one event on
// command to one of them (its data carries the write time), with nothing else in the way.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import type { UserId } from '../../src/identity/tables.ts';
import { createIdentityService } from '../../src/identity/service.ts';
import { deliverNotifications } from '../../src/notifications/deliver.ts';
import { buildApp } from '../../src/server/app.ts';
import { openRuntime } from '../../src/server/runtime.ts';
import { TEST_PASSWORD_HASHING } from '../../src/testing/server.ts';

export type Command =
  | { cmd: 'users'; count: number }
  | { cmd: 'deliver'; userId: string; n: number }
  | { cmd: 'send'; index: number; n: number }
  | { cmd: 'rss' };

const now = () => performance.timeOrigin + performance.now();
const reply = (message: unknown) => process.send?.(message);

if (process.env.MODE === 'bare') {
  const streams: ServerResponse[] = [];
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.write('retry: 2000\n\nevent: unread_count\ndata: {"unread_count":0}\n\n');
    streams.push(response);
    request.socket.setNoDelay(true);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    reply({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('message', (command: Command) => {
    if (command.cmd === 'send') {
      streams[command.index % streams.length]?.write(
        `id: ${command.n}\nevent: notification.created\ndata: ${JSON.stringify({ id: String(command.n), t: now() })}\n\n`,
      );
    } else if (command.cmd === 'rss') reply({ rss: process.memoryUsage().rss, streams: streams.length });
  });
} else {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    SECUREBASE_DATA_DIR: mkdtempSync(join(tmpdir(), 'securebase-bench-')),
    RATE_LIMIT_PER_HOUR: 'standard=100000000,fintech=100000000,healthcare=100000000,government=100000000',
  });
  const ctx = await openRuntime(config);
  // Cheap password hashing: the bench logs in thousands of users; hashing is not what it measures.
  const identity = createIdentityService({
    db: ctx.database.db,
    clock: ctx.clock,
    sessionTtlHours: config.sessionTtlHours,
    liveFeed: ctx.liveFeed,
    passwordHashing: TEST_PASSWORD_HASHING,
  });
  const app = await buildApp(ctx, identity);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  reply({ port: typeof address === 'object' && address ? address.port : 0 });
  const tenant = await identity.createTenant({
    name: 'Bench',
    tier: 'standard',
    adminEmail: 'owner@bench.test',
    adminPassword: 'bench-password-0123456789',
  });
  process.on('message', (command: Command) => {
    void (async () => {
      if (command.cmd === 'users') {
        const users: { userId: string; token: string }[] = [];
        for (let index = 0; index < command.count; index += 1) {
          const email = `user-${index}-${Date.now()}@bench.test`;
          const { user } = await identity.createUser({
            customerId: tenant.customer.id,
            email,
            name: `User ${index}`,
            role: 'member',
            password: 'bench-password-0123456789',
          });
          const session = await identity.login({
            email,
            password: 'bench-password-0123456789',
            ip: null,
            userAgent: null,
          });
          users.push({ userId: user.id, token: session.token });
        }
        reply({ users });
      } else if (command.cmd === 'deliver') {
        const [row] = await ctx.database.db.transaction().execute((trx) =>
          deliverNotifications(
            trx,
            [
              {
                userId: command.userId as UserId,
                customerId: tenant.customer.id,
                type: 'support',
                priority: 'high',
                title: `Ticket SB-${command.n} has a new reply`,
                body: 'An agent replied to your ticket.',
                actionUrl: `/support/SB-${command.n}`,
                groupKey: null,
                sourceEventId: `bench-${command.n}`,
              },
            ],
            { now: ctx.clock(), liveFeed: ctx.liveFeed },
          ),
        );
        reply({ id: row?.id, committedAt: now() });
      } else if (command.cmd === 'rss') reply({ rss: process.memoryUsage().rss });
    })();
  });
}
