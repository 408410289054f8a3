import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { manualClock } from '../../config/clock.ts';
import type { UserId } from '../../identity/tables.ts';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createCustomerUser, createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import { waitFor } from '../../testing/wait.ts';
import type { NotificationEmailId } from '../ids.ts';
import { recordEmails } from './queue.ts';
import { createEmailSender } from './send.ts';
import { startEmailHarness, TEST_PUBLIC_URL } from './testing/harness.ts';
import type { EmailHarness } from './testing/harness.ts';
import { createMailer } from './transport.ts';
import { signUnsubscribeToken, UNSUBSCRIBE_TOKEN_TTL_MS } from './unsubscribe-token.ts';

/** A raw header's value as sent (mailparser folds List-* headers into a structured `list` object). */
const rawHeader = (mail: ParsedMail | undefined, name: string): string | undefined => {
  const line = mail?.headerLines.find((header) => header.key === name)?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
};

const headerText = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'text' in value) return String((value as { text: string }).text);
  return JSON.stringify(value);
};

for (const dialect of TEST_DIALECTS) {
  describe(`notification email over real SMTP (${dialect})`, () => {
    const clock = manualClock(new Date('2026-01-06T15:00:00.000Z'));
    let h: EmailHarness;
    before(async () => {
      h = await startEmailHarness(dialect, { clock, env: { NOTIFICATION_EMAIL_RATE_LIMIT: '3' } });
    });
    after(async () => h.close());

    const emailsOf = (userId: string) =>
      h.server.ctx.database.db
        .selectFrom('notification_emails')
        .selectAll()
        .where('user_id', '=', userId as UserId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    const attemptsOf = (emailId: string) =>
      h.server.ctx.database.db
        .selectFrom('notification_email_attempts')
        .selectAll()
        .where('email_id', '=', emailId as NotificationEmailId)
        .orderBy('attempt')
        .orderBy('created_at')
        .execute();
    const mailsTo = (address: string) => h.sink.received.filter((mail) => headerText(mail.to) === address);

    async function newUser() {
      const tenant = await createTenant(h.server);
      return { ...(await createCustomerUser(h.server, tenant.customerId, 'member')), customerId: tenant.customerId };
    }

    it('sends the notification with From, To, List-Unsubscribe, both parts, and user text escaped', async () => {
      const user = await newUser();
      await h.notify([
        {
          userId: user.userId,
          customerId: user.customerId,
          title: 'Reply on <script>alert("x")</script> & more',
          body: 'First paragraph <b>bold?</b>\n\nSecond paragraph',
          actionUrl: '/support/SB-1042',
        },
      ]);
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 1, 10_000, 'the mail at the SMTP server');
      const mail = mailsTo(user.email)[0];
      assert.ok(mail);
      assert.equal(headerText(mail.from), '"SecureBase" <notify@securebase.test>');
      assert.equal(mail.subject, 'Reply on <script>alert("x")</script> & more');
      assert.match(
        rawHeader(mail, 'list-unsubscribe') ?? '',
        /^<https:\/\/portal\.example\.test\/v1\/notifications\/unsubscribe\?token=[\w-]+\.[\w-]+>$/,
      );
      assert.equal(rawHeader(mail, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      assert.ok(mail.text?.includes('Reply on <script>alert("x")</script> & more'), 'text part has the raw title');
      assert.ok(mail.text?.includes(`${TEST_PUBLIC_URL}/support/SB-1042`));
      const htmlPart = String(mail.html);
      assert.ok(!htmlPart.includes('<script>'), 'no script tag in HTML');
      assert.ok(htmlPart.includes('Reply on &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more'));
      assert.ok(htmlPart.includes('&lt;b&gt;bold?&lt;/b&gt;'));
      assert.ok(htmlPart.includes(`href="${TEST_PUBLIC_URL}/support/SB-1042"`));

      const [row] = await emailsOf(user.userId);
      assert.equal(row?.status, 'sent');
      assert.equal(row?.attempts, 1);
      assert.match(row?.message_id ?? '', /^<.+@securebase\.test>$/);
      assert.deepEqual(
        (await attemptsOf(row?.id as string)).map((a) => [a.attempt, a.status, a.smtp_code]),
        [
          [0, 'queued', null],
          [1, 'sent', 250],
        ],
      );
    });

    it('sends nothing for a type whose email is off (system, by default)', async () => {
      const user = await newUser();
      await h.notify([{ userId: user.userId, type: 'system' }]);
      assert.deepEqual(await emailsOf(user.userId), []);
    });

    it('retries after a 4xx reply and sends on the next attempt', async () => {
      const user = await newUser();
      h.sink.failNext(451, 'Try again later');
      await h.notify([{ userId: user.userId, title: 'retry me' }]);
      await h.settle();
      const [first] = await emailsOf(user.userId);
      assert.equal(first?.status, 'queued');
      assert.equal(first?.attempts, 1);
      assert.equal(mailsTo(user.email).length, 0);
      clock.advance(10_000);
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 1, 10_000, 'the retried mail');
      const [row] = await emailsOf(user.userId);
      assert.equal(row?.status, 'sent');
      assert.deepEqual(
        (await attemptsOf(row?.id as string)).map((a) => [a.attempt, a.status, a.smtp_code]),
        [
          [0, 'queued', null],
          [1, 'failed', 451],
          [2, 'sent', 250],
        ],
      );
    });

    it('does not retry after a 5xx reply', async () => {
      const user = await newUser();
      h.sink.failNext(550, 'Mailbox unavailable');
      await h.notify([{ userId: user.userId, title: 'bounce me' }]);
      await h.settle();
      clock.advance(60 * 60_000);
      await h.settle();
      const [row] = await emailsOf(user.userId);
      assert.equal(row?.status, 'failed');
      assert.equal(row?.attempts, 1);
      assert.match(row?.last_error ?? '', /Mailbox unavailable/);
      assert.deepEqual(
        (await attemptsOf(row?.id as string)).map((a) => [a.status, a.smtp_code]),
        [
          ['queued', null],
          ['failed', 550],
        ],
      );
      assert.equal(mailsTo(user.email).length, 0);
    });

    it('defers email to the end of quiet hours and lets critical through', async () => {
      const user = await newUser();
      const put = await request(h.server.baseUrl, 'PUT', '/v1/notifications/preferences', {
        token: user.token,
        headers: { 'x-csrf-token': user.csrfToken },
        body: {
          quiet_hours: { start: '22:00', end: '07:00', time_zone: 'America/New_York', days: [1, 2, 3, 4, 5, 6, 7] },
        },
      });
      assert.equal(put.status, 200, put.text);
      clock.set(new Date('2026-01-08T04:30:00.000Z')); // 23:30 in New York
      await h.notify([
        { userId: user.userId, title: 'can wait', priority: 'medium' },
        { userId: user.userId, title: 'wake me', priority: 'critical', type: 'security_alert' },
      ]);
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 1, 10_000, 'the critical mail');
      assert.equal(mailsTo(user.email)[0]?.subject, '[Critical] wake me');
      const deferred = (await emailsOf(user.userId)).find((row) => row.subject === 'can wait');
      assert.equal(deferred?.status, 'queued');
      assert.equal(deferred?.send_after, '2026-01-08T12:00:00.000Z'); // 07:00 in New York
      clock.set(new Date('2026-01-08T11:59:00.000Z'));
      await h.settle();
      assert.equal(mailsTo(user.email).length, 1);
      clock.set(new Date('2026-01-08T12:00:00.000Z'));
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 2, 10_000, 'the deferred mail');
      assert.equal(mailsTo(user.email)[1]?.subject, 'can wait');
    });

    it('unsubscribes by the link: that type stops, other types and other users go on', async () => {
      const user = await newUser();
      const other = await newUser();
      await h.notify([{ userId: user.userId, title: 'first support mail' }]);
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 1, 10_000, 'the first mail');
      const link = /^<(.+)>$/.exec(rawHeader(mailsTo(user.email)[0], 'list-unsubscribe') ?? '')?.[1] as string;
      const path = link.slice(TEST_PUBLIC_URL.length);

      const page = await request(h.server.baseUrl, 'GET', path);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.text, /support notifications by email/);
      const [stillOn] = await h.server.ctx.database.db
        .selectFrom('notification_preferences')
        .select('email')
        .where('user_id', '=', user.userId as UserId)
        .execute();
      assert.equal(stillOn, undefined, 'GET changes nothing');

      const forged = path.replace(/\.([\w-])/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
      const refused = await request(h.server.baseUrl, 'POST', forged, {
        rawBody: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(refused.status, 400);
      const expired = signUnsubscribeToken(
        h.server.ctx.keyRing,
        { userId: user.userId as UserId, types: ['support'] },
        new Date(clock().getTime() - UNSUBSCRIBE_TOKEN_TTL_MS - 1_000),
      );
      const late = await request(h.server.baseUrl, 'POST', `/v1/notifications/unsubscribe?token=${expired}`, {
        rawBody: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(late.status, 400);
      assert.match(late.text, /expired/);
      const unchanged = await request<{ types: Record<string, { email: boolean }> }>(
        h.server.baseUrl,
        'GET',
        '/v1/notifications/preferences',
        { token: user.token },
      );
      assert.equal(unchanged.body.types.support?.email, true, 'a refused token changed nothing');

      const done = await request(h.server.baseUrl, 'POST', path, {
        rawBody: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(done.body, { unsubscribed: true, types: ['support'] });

      const prefs = await request<{ types: Record<string, { email: boolean; email_source: string }> }>(
        h.server.baseUrl,
        'GET',
        '/v1/notifications/preferences',
        { token: user.token },
      );
      assert.deepEqual(prefs.body.types.support, { in_app: true, email: false, email_source: 'user' });
      assert.deepEqual(prefs.body.types.billing, { in_app: true, email: true, email_source: 'default' });

      await h.notify([
        { userId: user.userId, title: 'second support mail' },
        { userId: user.userId, title: 'a bill', type: 'billing' },
        { userId: other.userId, title: 'support for the other user' },
      ]);
      await h.settle();
      await waitFor(() => mailsTo(other.email).length === 1, 10_000, 'the other user’s mail');
      await waitFor(() => mailsTo(user.email).length === 2, 10_000, 'the billing mail');
      assert.deepEqual(
        mailsTo(user.email).map((mail) => mail.subject),
        ['first support mail', 'a bill'],
      );
    });

    it('storm control: over the hourly limit, the rest come as one digest', async () => {
      const user = await newUser();
      const titles = Array.from({ length: 6 }, (_, i) => `storm item ${i + 1}`);
      for (const title of titles) await h.notify([{ userId: user.userId, title }]);
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 3, 10_000, 'the first three mails');
      const rows = await emailsOf(user.userId);
      assert.deepEqual(
        rows.map((row) => row.status),
        ['sent', 'sent', 'sent', 'suppressed', 'suppressed', 'suppressed'],
      );
      clock.advance(60 * 60_000);
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 4, 10_000, 'the digest');
      await h.settle();
      const digest = mailsTo(user.email)[3];
      assert.match(digest?.subject ?? '', /3 more notifications/);
      for (const title of titles.slice(3)) assert.ok(digest?.text?.includes(title), `digest lists ${title}`);
      assert.ok(!digest?.text?.includes('storm item 1'));
      clock.advance(2 * 60 * 60_000);
      await h.settle();
      assert.equal(mailsTo(user.email).length, 4, 'one digest only');
      const kinds = (await emailsOf(user.userId)).map((row) => row.kind);
      assert.equal(kinds.filter((kind) => kind === 'digest').length, 1);
    });

    it('POST /notifications/test really sends, in-app and by email', async () => {
      const user = await newUser();
      const email = await request<{ email_id: string; to: string }>(
        h.server.baseUrl,
        'POST',
        '/v1/notifications/test',
        {
          token: user.token,
          headers: { 'x-csrf-token': user.csrfToken },
          body: { channel: 'email' },
        },
      );
      assert.equal(email.status, 202, email.text);
      assert.equal(email.body.to, user.email);
      await h.settle();
      await waitFor(() => mailsTo(user.email).length === 1, 10_000, 'the test mail');
      assert.equal(mailsTo(user.email)[0]?.subject, 'SecureBase test email');

      const inApp = await request<{ notification_id: string }>(h.server.baseUrl, 'POST', '/v1/notifications/test', {
        token: user.token,
        body: { channel: 'in_app' },
      });
      assert.equal(inApp.status, 202, inApp.text);
      const row = await h.server.ctx.database.db
        .selectFrom('notifications')
        .selectAll()
        .where('id', '=', inApp.body.notification_id as never)
        .executeTakeFirst();
      assert.equal(row?.user_id, user.userId);
      assert.equal(row?.type, 'system');

      const bad = await request(h.server.baseUrl, 'POST', '/v1/notifications/test', {
        token: user.token,
        body: { channel: 'pigeon' },
      });
      assert.equal(bad.status, 400);
    });
  });
}

describe('notification email without SMTP', () => {
  it('writes each mail as an .eml file under the data directory', async () => {
    const { createTestDatabase } = await import('../../testing/database.ts');
    const { createKeyRing } = await import('../../crypto/key-ring.ts');
    const database = await createTestDatabase('sqlite');
    const dataDir = await mkdtemp(join(tmpdir(), 'sb-mail-'));
    try {
      const now = new Date('2026-02-01T10:00:00.000Z');
      const logged: object[] = [];
      const sender = createEmailSender({
        db: database.db,
        clock: () => now,
        keyRing: createKeyRing(Buffer.alloc(32, 7)),
        mailer: createMailer({
          smtpUrl: undefined,
          dataDir,
          logger: { info: (obj: object) => logged.push(obj) } as never,
        }),
        publicUrl: TEST_PUBLIC_URL,
        from: 'SecureBase <notify@securebase.test>',
        logger: { info: () => {}, warn: () => {} },
      });
      const [emailId] = await database.db.transaction().execute((trx) =>
        recordEmails(
          trx,
          [
            {
              customer_id: null,
              user_id: 'u-file' as UserId,
              notification_id: null,
              type: 'system',
              kind: 'test',
              to_address: 'someone@example.com',
              subject: 'SecureBase test email',
              status: 'queued',
              send_after: now.toISOString(),
            },
          ],
          now,
        ),
      );
      await sender.sendNow(emailId as NotificationEmailId, 1);
      const files = await readdir(join(dataDir, 'mail'));
      assert.equal(files.length, 1);
      const mail = await simpleParser(await readFile(join(dataDir, 'mail', files[0] as string)));
      assert.equal(headerText(mail.to), 'someone@example.com');
      assert.equal(rawHeader(mail, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      assert.equal(logged.length, 1);
      const row = await database.db
        .selectFrom('notification_emails')
        .selectAll()
        .where('id', '=', emailId as NotificationEmailId)
        .executeTakeFirst();
      assert.equal(row?.status, 'sent');
      sender.close();
    } finally {
      await database.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
