/**
 * A real SMTP server on a loopback port for tests and the benchmark (the `smtp-server` package):
 * it parses what it accepts with `mailparser`, and can be told to answer the next messages with an
 * error reply (4xx, 5xx) to exercise retries.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  /** Parsed messages in arrival order (empty when started with `parse: false`). */
  received: ParsedMail[];
  /** Messages accepted, parsed or not. */
  count(): number;
  /** Client connections open now (a pooled mailer keeps its connections open between sends). */
  openConnections(): number;
  /** Answers the next `times` DATA commands with `code message` instead of accepting them. */
  failNext(code: number, message: string, times?: number): void;
  /** Replies given so far, in order: the code of every DATA answer. */
  replies: number[];
  close(): Promise<void>;
}

/** Starts the sink; `parse: false` only counts (the benchmark). */
export async function startSmtpSink(options: { parse?: boolean } = {}): Promise<SmtpSink> {
  const parse = options.parse ?? true;
  const received: ParsedMail[] = [];
  const replies: number[] = [];
  const failures: Array<{ code: number; message: string }> = [];
  let accepted = 0;
  let open = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      open += 1;
      callback();
    },
    onClose() {
      open -= 1;
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const failure = failures.shift();
        if (failure) {
          replies.push(failure.code);
          const error = Object.assign(new Error(failure.message), { responseCode: failure.code });
          callback(error);
          return;
        }
        replies.push(250);
        accepted += 1;
        if (!parse) {
          callback(null);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            received.push(mail);
            callback(null);
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    replies,
    count: () => accepted,
    openConnections: () => open,
    failNext(code, message, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ code, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
