// Notification email benchmark: emails per second through our send path (a notification fan-out
// planned by deliverNotifications, one durable send job per email run by a real JobRunner, every
// attempt logged, pooled SMTP) to a local smtp-server in a separate process, beside a bare
// nodemailer loop over the same pool size to the same server in the same run (the ceiling).
// Standalone: `node --import tsx bench/notifications/email.ts` (BENCH_EMAILS, default 2000;
// SQLite, or PostgreSQL when TEST_DATABASE_URL is set). `runEmailBench` serves the notifications bench.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { systemClock } from '../../src/config/clock.ts';
import { createKeyRing } from '../../src/crypto/key-ring.ts';
import type { DialectName } from '../../src/database/adapter.ts';
import { uuidv7 } from '../../src/database/ids.ts';
import type { UserId } from '../../src/identity/tables.ts';
import { combineJobHandlers, JobRunner } from '../../src/jobs/index.ts';
import { deliverNotifications } from '../../src/notifications/deliver.ts';
import { emailPolicyOf } from '../../src/notifications/email/plan.ts';
import { createEmailSender } from '../../src/notifications/email/send.ts';
import { notificationEmail } from '../../src/notifications/email/templates.ts';
import { createMailer } from '../../src/notifications/email/transport.ts';
import { createMemoryLiveFeed } from '../../src/realtime/live-feed.ts';
import { createTestDatabase } from '../../src/testing/database.ts';

/** Pool size of both paths: what a typical SMTP relay allows per client. */
const CONNECTIONS = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 10);
const FROM = 'SecureBase <bench@securebase.test>';

export interface EmailBenchResult {
  dialect: DialectName;
  emails: number;
  /** Bare nodemailer pooled sends, same pool size, same server. */
  baselinePerSecond: number;
  /** Our path: fan-out planned, jobs claimed, rendered, sent, logged. */
  oursPerSecond: number;
  /** Time to deliver the notifications and plan their emails (one transaction). */
  planMs: number;
}

interface Sink {
  url: string;
  count(): Promise<number>;
  stop(): Promise<void>;
}

async function startSinkProcess(): Promise<Sink> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)));
  return {
    url,
    count: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m: { count: number }) => resolve(m.count));
        child.send('count');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function waitForCount(sink: Sink, target: number): Promise<void> {
  while ((await sink.count()) < target) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The ceiling: nodemailer's pool fed as fast as it takes messages, the same rendered mail. */
async function baseline(url: string, emails: number): Promise<number> {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: CONNECTIONS, maxMessages: 1_000 });
  const rendered = notificationEmail({
    type: 'support',
    priority: 'medium',
    title: 'Ticket SB-1042: new reply',
    body: 'An agent replied to your ticket.',
    actionUrl: 'https://portal.example.test/support/SB-1042',
    groupCount: 1,
    unsubscribeUrl: 'https://portal.example.test/v1/notifications/unsubscribe?token=x.y',
    preferencesUrl: 'https://portal.example.test/settings/notifications',
  });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < emails) {
        next += 1;
        await transport.sendMail({ from: FROM, to: `user${next}@example.test`, ...rendered });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return emails / seconds;
}

/** Runs both measurements against one SMTP server process. */
export async function runEmailBench(
  options: { emails?: number; dialect?: DialectName } = {},
): Promise<EmailBenchResult> {
  const emails = options.emails ?? 2_000;
  const dialect = options.dialect ?? 'sqlite';
  const sink = await startSinkProcess();
  const database = await createTestDatabase(dialect);
  try {
    const baselinePerSecond = await baseline(sink.url, emails);
    const before = await sink.count();

    const now = new Date();
    const iso = now.toISOString();
    const users = Array.from({ length: emails }, (_, i) => ({
      id: uuidv7(now.getTime()) as UserId,
      customer_id: null,
      email: `bench${i}@example.test`,
      name: `Bench ${i}`,
      role: 'agent' as const,
      password_hash: null,
      status: 'active' as const,
      created_at: iso,
      updated_at: iso,
      last_login_at: null,
    }));
    for (let i = 0; i < users.length; i += 1_000)
      await database.db
        .insertInto('users')
        .values(users.slice(i, i + 1_000))
        .execute();

    const sender = createEmailSender({
      db: database.db,
      clock: systemClock,
      keyRing: createKeyRing(randomBytes(32)),
      mailer: createMailer({
        smtpUrl: sink.url,
        dataDir: database.env.SECUREBASE_DATA_DIR,
        logger: { info: () => {} } as never,
        maxConnections: CONNECTIONS,
      }),
      publicUrl: 'https://portal.example.test',
      from: FROM,
      logger: { info: () => {}, warn: () => {} },
    });
    const runner = new JobRunner({
      handle: database,
      handlers: combineJobHandlers(sender.handlers),
      clock: systemClock,
      pollIntervalMs: 10,
      concurrency: 32,
    });

    const started = performance.now();
    await database.db.transaction().execute((trx) =>
      deliverNotifications(
        trx,
        users.map((user) => ({
          userId: user.id,
          customerId: null,
          type: 'support',
          priority: 'high',
          title: 'Ticket SB-1042: new reply',
          body: 'An agent replied to your ticket.',
          actionUrl: '/support/SB-1042',
          groupKey: null,
          sourceEventId: 'evt_bench_1',
        })),
        {
          now: systemClock(),
          liveFeed: createMemoryLiveFeed(),
          emailPolicy: emailPolicyOf({ email: { ratePerHour: 10 } }),
        },
      ),
    );
    const planMs = performance.now() - started;
    await runner.start();
    await waitForCount(sink, before + emails);
    const oursPerSecond = emails / ((performance.now() - started) / 1000);
    await runner.stop();
    sender.close();
    return { dialect, emails, baselinePerSecond, oursPerSecond, planMs };
  } finally {
    await database.destroy();
    await sink.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const emails = Number(process.env.BENCH_EMAILS ?? 2_000);
  const dialects: DialectName[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  console.log('dialect | emails | bare nodemailer pool (emails/s) | our send path (emails/s) | fan-out + plan (ms)');
  for (const dialect of dialects) {
    const r = await runEmailBench({ emails, dialect });
    console.log(
      `${r.dialect} | ${r.emails} | ${Math.round(r.baselinePerSecond)} | ${Math.round(r.oursPerSecond)} | ${Math.round(r.planMs)}`,
    );
  }
}
