/**
 * Where mail goes: the SMTP server of SMTP_URL through one pooled nodemailer transport (connections
 * reused across sends), or, with no SMTP configured, an `.eml` file per message under
 * `<dataDir>/mail/` (nodemailer's stream transport builds the exact bytes SMTP would carry).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { assertOutsideTransaction } from '../../database/transaction-guard.ts';

/** One message to send; the headers carry List-Unsubscribe and friends. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers: Record<string, string>;
}

/** What the server said when it took the message. */
export interface SentMail {
  messageId: string;
  /** The server's reply line (`250 OK …`), or the file written. */
  response: string;
}

export interface Mailer {
  /** `smtp` or `file`: logs and the bench say which path mail takes. */
  readonly kind: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl: string | undefined;
  dataDir: string;
  logger: Pick<Logger, 'info'>;
  /** Connections the pool keeps open at most. */
  maxConnections?: number;
}

/** An SMTP failure as the send job classifies it: 5xx replies are permanent, the rest worth retrying. */
export interface SmtpFailure {
  code: number | null;
  permanent: boolean;
  message: string;
}

/** Classifies an error thrown by `Mailer.send`. */
export function classifySmtpError(error: unknown): SmtpFailure {
  const e = error as { responseCode?: unknown; code?: unknown; message?: unknown } | null;
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  // A message nodemailer cannot build or address cannot succeed on a retry either.
  const unusable = e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE';
  const message = (typeof e?.message === 'string' ? e.message : String(error)).slice(0, 500);
  return { code, permanent: (code !== null && code >= 500 && code < 600) || (code === null && unusable), message };
}

/** The mailer of the configuration. */
export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? smtpMailer(options.smtpUrl, options.maxConnections ?? 5) : fileMailer(options);
}

function smtpMailer(url: string, maxConnections: number): Mailer {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections,
    maxMessages: 1_000,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      assertOutsideTransaction('sending email');
      const info = await transport.sendMail(mail);
      return { messageId: info.messageId, response: info.response };
    },
    close: () => transport.close(),
  };
}

function fileMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const directory = join(options.dataDir, 'mail');
  return {
    kind: 'file',
    async send(mail) {
      assertOutsideTransaction('sending email');
      const info = await transport.sendMail(mail);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const name = `${mail.messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;
      const file = join(directory, name);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      options.logger.info({ file, to: mail.to, subject: mail.subject }, 'no SMTP_URL: email written to a file');
      return { messageId: info.messageId, response: `written to ${file}` };
    },
    close: () => transport.close(),
  };
}
