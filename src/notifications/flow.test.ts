import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { createEventDispatcher } from '../events/processors.ts';
import { combineJobHandlers, JobRunner } from '../jobs/index.ts';
import { eventProcessors } from '../server/worker.ts';
import { startApiProcess, stopChildProcess } from '../testing/api-process.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import { emailJobs, emailSender } from './email/jobs.ts';
import { TEST_PUBLIC_URL } from './email/testing/harness.ts';
import { startSmtpSink } from './email/testing/smtp-sink.ts';
import type { SmtpSink } from './email/testing/smtp-sink.ts';
import { notificationJobs } from './jobs.ts';
import type { NotificationViewType } from './schemas.ts';
import { SseClient } from './stream/testing/sse-client.ts';

/**
 * Issue 8's "Done when", end to end over real HTTP: live streams, a real SMTP server, the worker
 * with every real processor and the email jobs; and, on PostgreSQL, the same across processes.
 */

interface Unread {
  unread_count: number;
}
interface Ticket {
  id: string;
  reference: string;
}

const unreadOf = (client: SseClient) => client.dataOf<Unread>('unread_count').at(-1)?.unread_count;
const createdOf = (client: SseClient) => client.dataOf<NotificationViewType>('notification.created');

const addressOf = (mail: ParsedMail): string => {
  const to = mail.to;
  if (!to) return '';
  return (Array.isArray(to) ? to : [to]).map((a) => a.text).join(', ');
};
/** A raw header's value as sent (mailparser folds List-* headers into a structured object). */
const rawHeader = (mail: ParsedMail | undefined, name: string): string | undefined => {
  const line = mail?.headerLines.find((header) => header.key === name)?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
};

for (const dialect of TEST_DIALECTS) {
  describe(`notifications end to end (HTTP, SSE, worker, SMTP) on ${dialect}`, () => {
    let server: TestServer;
    let sink: SmtpSink;
    let runner: JobRunner;
    let sender: ReturnType<typeof emailSender>;
    const open: SseClient[] = [];

    before(async () => {
      sink = await startSmtpSink();
      server = await startTestServer(dialect, {
        env: { SMTP_URL: sink.url, PUBLIC_URL: TEST_PUBLIC_URL, MAIL_FROM: 'SecureBase <notify@securebase.test>' },
      });
      sender = emailSender(server.ctx);
      runner = new JobRunner({
        handle: server.ctx.database,
        handlers: combineJobHandlers(
          createEventDispatcher(eventProcessors(server.ctx)),
          notificationJobs(server.ctx),
          emailJobs(sender),
        ),
        clock: server.ctx.clock,
        pollIntervalMs: 10,
        concurrency: 16,
        stopGraceMs: 2_000,
      });
      server.ctx.wakeWorkers = () => runner.wake();
      await runner.start();
    });
    after(async () => {
      for (const client of open) await client.close();
      await runner.stop();
      sender.close();
      await server.close();
      await sink.close();
    });

    const stream = async (options: Parameters<typeof SseClient.open>[1]) => {
      const client = await SseClient.open(server.baseUrl, options);
      open.push(client);
      assert.equal(client.status, 200, client.body);
      await client.waitFor((c) => c.named('unread_count').length >= 1, 'the first unread count');
      return client;
    };
    const call = async <T>(token: string, method: string, path: string, body?: unknown) => {
      const response = await request<T>(server.baseUrl, method, path, {
        token,
        ...(body === undefined ? {} : { body }),
      });
      assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
      return response.body;
    };
    const mailsTo = (address: string) => sink.received.filter((mail) => addressOf(mail) === address);

    it('critical ticket → agents live and by email; staff reply → both customer tabs and email; read in one tab → the other', async () => {
      const tenant = await createTenant(server);
      const customer = await createCustomerUser(server, tenant.customerId, 'member');
      const agents = [await createStaffUser(server, 'agent'), await createStaffUser(server, 'agent')];
      const agentStreams = await Promise.all(agents.map(async (agent) => stream({ token: agent.token })));

      // 1. The customer opens a critical ticket: each agent hears of it live and by email.
      const ticket = await call<Ticket>(customer.token, 'POST', '/v1/support/tickets', {
        subject: 'Production is down',
        description: 'Every request fails with 502 since 09:00.',
        priority: 'critical',
      });
      runner.wake();
      for (const [index, agentStream] of agentStreams.entries()) {
        await agentStream.waitFor((c) => createdOf(c).length === 1, `the alert on agent ${index + 1}’s stream`, 20_000);
        const [alert] = createdOf(agentStream);
        assert.equal(alert?.user_id, agents[index]?.userId);
        assert.equal(alert?.type, 'support');
        assert.equal(alert?.priority, 'critical');
        assert.equal(alert?.action_url, `/support/${ticket.id}`);
        assert.match(alert?.title ?? '', new RegExp(`New critical ticket ${ticket.reference}`));
        assert.equal(alert?.read_at, null);
        await agentStream.waitFor((c) => unreadOf(c) === 1, `agent ${index + 1}’s count`);
      }
      for (const agent of agents) {
        await waitFor(() => mailsTo(agent.email).length === 1, 20_000, `the alert mail to ${agent.email}`);
        const [mail] = mailsTo(agent.email);
        assert.equal(mail?.subject, `[Critical] New critical ticket ${ticket.reference}: Production is down`);
        assert.ok(mail?.text?.includes(`${TEST_PUBLIC_URL}/support/${ticket.id}`));
      }

      // The receipt made the customer's count 1; they read it, so the reply has a count to raise.
      await call(customer.token, 'POST', '/v1/notifications/mark-read', { all: true });
      const tab1 = await stream({ token: customer.token });
      const tab2 = await stream({ cookie: `sb_session=${customer.token}` });
      for (const tab of [tab1, tab2]) assert.equal(unreadOf(tab), 0);

      // 2. An agent replies publicly: both tabs get the notification and a risen count; a mail goes out.
      await call(agents[0]?.token as string, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        body: 'Looking into it now.',
      });
      runner.wake();
      for (const [index, tab] of [tab1, tab2].entries()) {
        await tab.waitFor((c) => createdOf(c).length === 1, `the reply in tab ${index + 1}`, 20_000);
        await tab.waitFor((c) => unreadOf(c) === 1, `the risen count in tab ${index + 1}`);
        const [reply] = createdOf(tab);
        assert.equal(reply?.user_id, customer.userId);
        assert.equal(reply?.type, 'support');
        assert.equal(reply?.priority, 'medium');
        assert.equal(reply?.body, 'Looking into it now.');
        assert.equal(reply?.action_url, `/support/${ticket.reference}`);
        assert.equal(reply?.group_count, 2, 'the reply joins the ticket’s thread (receipt, reply)');
        assert.equal(reply?.read_at, null);
      }
      const replySubject = `New reply on ${ticket.reference}: Production is down`;
      await waitFor(
        () => mailsTo(customer.email).some((mail) => mail.subject === replySubject),
        20_000,
        'the reply mail to the customer',
      );
      const replyMail = mailsTo(customer.email).find((mail) => mail.subject === replySubject);
      assert.equal(addressOf(replyMail as ParsedMail), customer.email);
      assert.match(
        rawHeader(replyMail, 'list-unsubscribe') ?? '',
        /^<https:\/\/portal\.example\.test\/v1\/notifications\/unsubscribe\?token=[\w-]+\.[\w-]+>$/,
      );
      assert.equal(rawHeader(replyMail, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      assert.ok(replyMail?.text?.includes('Looking into it now.'));

      // 3. Tab 1 marks it read: tab 2 is told (the change and the count).
      const reply = createdOf(tab1)[0] as NotificationViewType;
      const marked = await call<{ marked_read: number; unread_count: number }>(
        customer.token,
        'POST',
        '/v1/notifications/mark-read',
        { notification_ids: [reply.id] },
      );
      assert.deepEqual(marked, { marked_read: 1, unread_count: 0 });
      await tab2.waitFor((c) => c.named('notification.updated').length === 1, 'the read change in tab 2');
      await tab2.waitFor((c) => unreadOf(c) === 0, 'count 0 in tab 2');
      const [updated] = tab2.dataOf<NotificationViewType>('notification.updated');
      assert.equal(updated?.id, reply.id);
      assert.ok(updated?.read_at, 'the update carries the read time');
      await tab1.waitFor((c) => unreadOf(c) === 0, 'count 0 in tab 1 too');
    });
  });
}

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

if (TEST_DIALECTS.includes('postgres')) {
  describe('notifications across processes on postgres: API A streams, API B writes, a worker process delivers', () => {
    // This process only seeds users and sessions; it runs no worker and serves nothing the test uses.
    let seeder: TestServer;
    let apiA: ReturnType<typeof startApiProcess>;
    let apiB: ReturnType<typeof startApiProcess>;
    let worker: ChildProcess;
    before(async () => {
      seeder = await startTestServer('postgres');
      const env = { ...seeder.database.env };
      apiA = startApiProcess(env);
      apiB = startApiProcess(env);
      worker = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker'], {
        env: { ...process.env, LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    });
    after(async () => {
      await Promise.all([apiA.child, apiB.child, worker].map(stopChildProcess));
      await seeder.close();
    });

    it(
      'a ticket created and answered through B reaches the customer’s stream on A, delivered by the worker process',
      { timeout: 180_000 },
      async () => {
        const tenant = await createTenant(seeder);
        const customer = await createCustomerUser(seeder, tenant.customerId, 'member');
        const agent = await createStaffUser(seeder, 'agent');
        const [baseA, baseB] = await Promise.all([apiA.baseUrl, apiB.baseUrl]);
        const onA = await SseClient.open(baseA, { token: customer.token });
        try {
          assert.equal(onA.status, 200, onA.body);
          await onA.waitFor((c) => unreadOf(c) === 0, 'the first count from A', 20_000);
          const created = await request<Ticket>(baseB, 'POST', '/v1/support/tickets', {
            token: customer.token,
            body: { subject: 'Cross-process', description: 'Created through API process B.', priority: 'critical' },
          });
          assert.equal(created.status, 201, created.text);
          const ticket = created.body;
          await onA.waitFor((c) => createdOf(c).length === 1, 'the receipt on A', 30_000);
          assert.match(createdOf(onA)[0]?.title ?? '', new RegExp(`We received ${ticket.reference}`));

          const replied = await request(baseB, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
            token: agent.token,
            body: { body: 'Answered through B.' },
          });
          assert.ok(replied.status < 300, replied.text);
          await onA.waitFor((c) => createdOf(c).length === 2, 'the reply on A', 30_000);
          const reply = createdOf(onA)[1];
          assert.equal(reply?.body, 'Answered through B.');
          assert.equal(reply?.action_url, `/support/${ticket.reference}`);
          await onA.waitFor((c) => unreadOf(c) === 1, 'count 1 on A');
        } finally {
          await onA.close();
        }
      },
    );
  });
}
