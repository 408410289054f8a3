import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { emit } from './testing/events.ts';
import { startHarness, tenantWithEndpoint, waitFor, waitForDueWork } from './testing/harness.ts';
import type { WebhookHarness } from './testing/harness.ts';
import { startReceiver } from './testing/receiver.ts';
import type { Receiver } from './testing/receiver.ts';
import type { EndpointId } from './ids.ts';

const DATA = { metric: 'api', usage: 2, threshold: 1 };

for (const dialect of TEST_DIALECTS) {
  describe(`hostile receivers on ${dialect}`, () => {
    let h: WebhookHarness;
    let receiver: Receiver;
    before(async () => {
      h = await startHarness(dialect, { env: { WEBHOOK_TIMEOUT_MS: '1000' } });
      receiver = await startReceiver();
    });
    after(async () => {
      await h.close();
      await receiver.close();
    });
    const db = () => h.server.ctx.database.db;
    /** Attempts with their result (an attempt is logged as `unknown` before it is sent). */
    const attemptsOf = (endpointId: EndpointId) =>
      db()
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .where('outcome', '!=', 'unknown')
        .orderBy('attempt')
        .execute();
    async function oneAttempt(
      path: string,
      behaviour: Parameters<Receiver['on']>[1],
      extra: Record<string, unknown> = {},
    ) {
      receiver.on(path, behaviour);
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['usage.threshold_exceeded'], extra);
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await waitFor(async () => (await attemptsOf(t.webhookId)).length >= 1, 15_000, `an attempt on ${path}`);
      const [attempt] = await attemptsOf(t.webhookId);
      if (!attempt) throw new Error('no attempt');
      return { t, attempt };
    }
    const delayOf = (attempt: { next_retry_at: string | null; created_at: string }) =>
      Date.parse(attempt.next_retry_at ?? '') - Date.parse(attempt.created_at);

    it('410 Gone disables the endpoint at once, stops its retries and emits webhook.endpoint_disabled', async () => {
      const { t, attempt } = await oneAttempt(`/gone-${dialect}`, (_r, res) => void res.writeHead(410).end('gone'));
      assert.equal(attempt.outcome, 'gone');
      const endpoint = await db()
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', t.webhookId)
        .executeTakeFirstOrThrow();
      assert.equal(endpoint.status, 'disabled_gone');
      assert.equal(
        (
          await db()
            .selectFrom('webhook_messages')
            .select('status')
            .where('endpoint_id', '=', t.webhookId)
            .executeTakeFirstOrThrow()
        ).status,
        'failed',
      );
      const event = await db()
        .selectFrom('events')
        .selectAll()
        .where('customer_id', '=', t.customerId)
        .where('type', '=', 'webhook.endpoint_disabled')
        .executeTakeFirstOrThrow();
      assert.equal((JSON.parse(event.data) as { reason: string }).reason, 'disabled_gone');
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await waitForDueWork(h.server);
      assert.equal(receiver.at(`/gone-${dialect}`).length, 1, 'a disabled endpoint receives nothing');
    });

    it('429 with Retry-After is honoured (clamped, at least 60 s)', async () => {
      const long = await oneAttempt(
        `/429a-${dialect}`,
        (_r, res) => void res.writeHead(429, { 'retry-after': '120' }).end(),
      );
      assert.equal(long.attempt.outcome, 'retry');
      assert.ok(Math.abs(delayOf(long.attempt) - 120_000) < 2_000, `${delayOf(long.attempt)}`);
      const short = await oneAttempt(
        `/429b-${dialect}`,
        (_r, res) => void res.writeHead(429, { 'retry-after': '2' }).end(),
      );
      assert.ok(delayOf(short.attempt) >= 60_000 && delayOf(short.attempt) < 62_000, `${delayOf(short.attempt)}`);
      const headers = JSON.parse(long.attempt.response_headers ?? '{}') as Record<string, string>;
      assert.equal(headers['retry-after'], '120');
    });

    it('a receiver that never answers times out at the deadline and is retried no sooner than 60 s', async () => {
      const { attempt } = await oneAttempt(`/hang-${dialect}`, () => {});
      assert.equal(attempt.error_class, 'timeout');
      assert.equal(attempt.outcome, 'retry');
      // The deadline is honoured from below; how much later a busy machine records it is not asserted.
      assert.ok(attempt.duration_ms >= 900, `${attempt.duration_ms}`);
      assert.ok(delayOf(attempt) >= 60_000);
    });

    it('a receiver trickling bytes is cut off by the same deadline', async () => {
      const { attempt } = await oneAttempt(`/trickle-${dialect}`, (_r, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 100);
        res.on('close', () => clearInterval(timer));
      });
      assert.equal(attempt.error_class, 'timeout');
      assert.ok(attempt.duration_ms < 2_500);
    });

    it('a 100 MB answer is read only up to 4 KiB; the connection is dropped', async () => {
      let written = 0;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const { attempt } = await oneAttempt(`/huge-${dialect}`, (_r, res) => {
        res.writeHead(200, { 'content-length': String(100 * 1024 * 1024) });
        const pump = () => {
          while (written < 100 * 1024 * 1024 && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
      assert.equal(attempt.outcome, 'delivered');
      assert.equal(attempt.response_truncated, 1);
      assert.equal(attempt.response_body?.length, 4096);
      assert.ok(written < 50 * 1024 * 1024, `receiver wrote ${written} bytes`);
    });

    it('a redirect (to the metadata address) is not followed: a failed attempt, retried later', async () => {
      const { attempt } = await oneAttempt(
        `/redirect-${dialect}`,
        (_r, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      );
      assert.equal(attempt.response_status, 302);
      assert.equal(attempt.error_class, 'http_status');
      assert.equal(attempt.outcome, 'retry');
      assert.equal(receiver.at(`/redirect-${dialect}`).length, 1);
    });

    it('a target that became private is blocked at the attempt, logged blocked and not retried', async () => {
      receiver.on(`/moved-${dialect}`, (_r, res) => void res.writeHead(200).end());
      const t = await tenantWithEndpoint(h.server, receiver.url(`/moved-${dialect}`), ['*']);
      await db()
        .updateTable('webhook_endpoints')
        .set({ url: 'http://10.0.0.1:8080/hook' })
        .where('id', '=', t.webhookId)
        .execute(); // e.g. DNS now points inside
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await waitFor(async () => (await attemptsOf(t.webhookId)).length === 1, 10_000, 'the blocked attempt');
      const [attempt] = await attemptsOf(t.webhookId);
      assert.equal(attempt?.error_class, 'blocked');
      assert.equal(attempt?.outcome, 'blocked');
      assert.equal(attempt?.next_retry_at, null);
      assert.equal(
        (
          await db()
            .selectFrom('webhook_messages')
            .select('status')
            .where('endpoint_id', '=', t.webhookId)
            .executeTakeFirstOrThrow()
        ).status,
        'failed',
      );
      // A retry job would have been enqueued with the result; the first job is deleted after it.
      const jobsOf = (messageId: string) =>
        db()
          .selectFrom('jobs')
          .select('unique_key')
          .where('name', '=', 'webhooks.deliver')
          .where('unique_key', 'like', `whmsg:${messageId}:%`)
          .execute();
      const messageId = attempt?.message_id ?? '?';
      assert.deepEqual(
        (await jobsOf(messageId)).filter((j) => j.unique_key !== `whmsg:${messageId}:1`),
        [],
        'no retry job',
      );
      await waitFor(
        async () => (await jobsOf(messageId)).length === 0,
        10_000,
        "the blocked attempt's job to complete",
      );
    });

    it(
      'a hanging endpoint gets at most 8 requests in flight, then its breaker holds its queue',
      { timeout: 60_000 },
      async () => {
        let inFlight = 0;
        let maxInFlight = 0;
        receiver.on(`/stuck-${dialect}`, (_r, res) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          res.on('close', () => (inFlight -= 1));
        });
        const stuck = await tenantWithEndpoint(h.server, receiver.url(`/stuck-${dialect}`), ['*']);
        const N = 60;
        for (let i = 0; i < N; i += 1)
          await emit(h.server, stuck.customerId, 'usage.threshold_exceeded', { ...DATA, usage: i });
        const breakerOpen = async () =>
          (
            await db()
              .selectFrom('webhook_endpoints')
              .select('circuit_open_until')
              .where('id', '=', stuck.webhookId)
              .executeTakeFirstOrThrow()
          ).circuit_open_until !== null;
        await waitFor(breakerOpen, 30_000, 'the breaker to open');
        assert.ok(maxInFlight <= 8, `at most 8 attempts in flight to the stuck endpoint, saw ${maxInFlight}`);
        const { circuit_open_until: openUntil } = await db()
          .selectFrom('webhook_endpoints')
          .select('circuit_open_until')
          .where('id', '=', stuck.webhookId)
          .executeTakeFirstOrThrow();
        const seenOpenAt = new Date().toISOString();
        // Attempts are logged before they go on the wire, with the worker's clock: count those made
        // while the breaker was open, after it was seen open (arrivals at the receiver lag under load).
        const attemptsWhileOpen = async () =>
          (
            await db()
              .selectFrom('webhook_attempts')
              .select('id')
              .where('endpoint_id', '=', stuck.webhookId)
              .where('created_at', '>', seenOpenAt)
              .where('created_at', '<', openUntil as string)
              .execute()
          ).length;
        assert.ok(
          receiver.at(`/stuck-${dialect}`).length < N,
          `the breaker held the queue (${receiver.at(`/stuck-${dialect}`).length} of ${N} attempted)`,
        );
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        // One attempt admitted just before the breaker opened may still be logged after it was seen open.
        const whileOpen = await attemptsWhileOpen();
        assert.ok(whileOpen <= 1, `no attempt while the breaker is open, saw ${whileOpen}`);
      },
    );

    it('enforces a per-endpoint rate limit', { timeout: 30_000 }, async () => {
      const path = `/rate-${dialect}`;
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['*'], { rate_limit_per_second: 5 });
      for (let i = 0; i < 15; i += 1) await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await waitFor(() => receiver.at(path).length === 15, 20_000, 'all rate-limited deliveries');
      // Admission times as the worker logged them (before sending): arrival times at the receiver
      // bunch up when the machine is busy. The per-second spacing itself is unit-tested (flow-control).
      const attempts = await db()
        .selectFrom('webhook_attempts')
        .select('created_at')
        .where('endpoint_id', '=', t.webhookId)
        .orderBy('created_at')
        .execute();
      const times = attempts.map((row) => Date.parse(row.created_at));
      assert.equal(times.length, 15);
      const span = (times[14] as number) - (times[0] as number);
      // 15 sends at 5/s are admitted 200 ms apart (2.8 s); without a limit they would leave at once.
      assert.ok(span >= 2_000, `15 deliveries at 5/s take about 2.8 s, took ${span} ms`);
      for (const start of times) {
        const inSecond = times.filter((x) => x >= start && x < start + 1000).length;
        assert.ok(
          inSecond <= 8,
          `about 5 in any second (a few more when a busy machine delays a log), saw ${inSecond}`,
        );
      }
    });
  });

  describe(`a hanging endpoint beside a healthy one on ${dialect}`, () => {
    it(
      'does not hold the healthy one back: its deliveries all arrive while the hanging requests are still open',
      { timeout: 60_000 },
      async () => {
        // The attempt timeout (30 s) is far beyond the wait for the healthy deliveries, so the stuck
        // endpoint's requests stay open the whole time; the latency figure lives in bench/webhooks.
        const h = await startHarness(dialect, { env: { WEBHOOK_TIMEOUT_MS: '30000' } });
        const receiver = await startReceiver();
        try {
          let open = 0;
          let stuckRequests = 0;
          receiver.on('/stuck', (_r, res) => {
            open += 1;
            stuckRequests += 1;
            res.on('close', () => (open -= 1));
          });
          const stuck = await tenantWithEndpoint(h.server, receiver.url('/stuck'), ['*']);
          const { request } = await import('../testing/http.ts');
          const fine = await request(h.server.baseUrl, 'POST', '/v1/webhooks', {
            token: stuck.apiKey,
            body: { url: receiver.url('/fine'), events: ['*'] },
          });
          assert.equal(fine.status, 201);
          const N = 20;
          for (let i = 0; i < N; i += 1)
            await emit(h.server, stuck.customerId, 'usage.threshold_exceeded', { ...DATA, usage: i });
          await waitFor(() => receiver.at('/fine').length === N, 25_000, 'all healthy deliveries');
          assert.ok(
            open > 0 && stuckRequests === open,
            `the hanging requests are still open (${open} of ${stuckRequests})`,
          );
          assert.ok(open <= 8, `at most 8 attempts in flight to the stuck endpoint, saw ${open}`);
        } finally {
          await receiver.close();
          await h.close();
        }
      },
    );
  });
}
