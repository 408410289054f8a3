// The benchmark's SMTP server in a process of its own, so that receiving does not share a core
// with sending: reports its URL, then the count of accepted messages on request.
import { startSmtpSink } from '../../src/notifications/email/testing/smtp-sink.ts';

const sink = await startSmtpSink({ parse: false });
process.send?.({ url: sink.url });
process.on('message', (message: string) => {
  if (message === 'count') process.send?.({ count: sink.count() });
  if (message === 'stop') void sink.close().then(() => process.exit(0));
});
