import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSmtpSink } from '../notifications/email/testing/smtp-sink.ts';
import type { SmtpSink } from '../notifications/email/testing/smtp-sink.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createCustomerUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import { createWorker, jobGraceMs } from './worker.ts';

for (const dialect of TEST_DIALECTS) {
  describe(`the worker (${dialect})`, () => {
    let sink: SmtpSink;
    let server: TestServer;
    before(async () => {
      sink = await startSmtpSink();
      server = await startTestServer(dialect, { env: { SMTP_URL: sink.url } });
    });
    after(async () => {
      await server.close();
      await sink.close();
    });

    it('closes its pooled SMTP connections when it stops', async () => {
      const runner = createWorker(server.ctx);
      server.ctx.wakeWorkers = () => runner.wake();
      try {
        await runner.start();
        const tenant = await createTenant(server);
        const user = await createCustomerUser(server, tenant.customerId, 'member');
        const sent = await request(server.baseUrl, 'POST', '/v1/notifications/test', {
          token: user.token,
          headers: { 'x-csrf-token': user.csrfToken },
          body: { channel: 'email' },
        });
        assert.equal(sent.status, 202, sent.text);
        await waitFor(() => sink.count() === 1, 15_000, 'the test mail at the SMTP server');
        // The pool keeps its connection for the next mail while the worker runs.
        assert.equal(sink.openConnections(), 1);
      } finally {
        await runner.stop();
      }
      await waitFor(() => sink.openConnections() === 0, 15_000, 'the SMTP connection closed by the stop');
    });
  });
}

describe('the shutdown grace of running jobs', () => {
  it('leaves a reserve of a quarter of the deadline, at most 5 s, to release unfinished jobs', () => {
    assert.equal(jobGraceMs(30_000), 25_000);
    assert.equal(jobGraceMs(120_000), 115_000);
    assert.equal(jobGraceMs(8_000), 6_000);
    assert.equal(jobGraceMs(1_000), 750);
  });
});
