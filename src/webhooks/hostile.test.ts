import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { emit } from './testing/events.ts';
import { startHarness, tenantWithEndpoint, waitFor } from './testing/harness.ts';
import type { WebhookHarness } from './testing/harness.ts';
import { startReceiver } from './testing/receiver.ts';
import type { Receiver } from './testing/receiver.ts';

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
    const attemptsOf = (endpointId: string) => db().selectFrom('webhook_attempts').selectAll().where('endpoint_id', '=', endpointId).orderBy('attempt').execute();
    async function oneAttempt(path: string, behaviour: Parameters<Receiver['on']>[1], extra: Record<string, unknown> = {}) {
      receiver.on(path, behaviour);
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['usage.threshold_exceeded'], extra);
      const started = Date.now();
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await waitFor(async () => (await attemptsOf(t.webhookId)).length >= 1, 15_000, `an attempt on ${path}`);
      const [attempt] = await attemptsOf(t.webhookId);
      if (!attempt) throw new Error('no attempt');
      return { t, attempt, elapsed: Date.now() - started };
    }
    const delayOf = (attempt: { next_retry_at: string | null; created_at: string }) => Date.parse(attempt.next_retry_at ?? '') - Date.parse(attempt.created_at);

    it('410 Gone disables the endpoint at once, stops its retries and emits webhook.endpoint_disabled', async () => {
      const { t, attempt } = await oneAttempt(`/gone-${dialect}`, (_r, res) => void res.writeHead(410).end('gone'));
      assert.equal(attempt.outcome, 'gone');
      const endpoint = await db().selectFrom('webhook_endpoints').selectAll().where('id', '=', t.webhookId).executeTakeFirstOrThrow();
      assert.equal(endpoint.status, 'disabled_gone');
      assert.equal((await db().selectFrom('webhook_messages').select('status').where('endpoint_id', '=', t.webhookId).executeTakeFirstOrThrow()).status, 'failed');
      const event = await db().selectFrom('events').selectAll().where('customer_id', '=', t.customerId).where('type', '=', 'webhook.endpoint_disabled').executeTakeFirstOrThrow();
      assert.equal((JSON.parse(event.data) as { reason: string }).reason, 'disabled_gone');
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(receiver.at(`/gone-${dialect}`).length, 1, 'a disabled endpoint receives nothing');
    });

    it('429 with Retry-After is honoured (clamped, at least 60 s)', async () => {
      const long = await oneAttempt(`/429a-${dialect}`, (_r, res) => void res.writeHead(429, { 'retry-after': '120' }).end());
      assert.equal(long.attempt.outcome, 'retry');
      assert.ok(Math.abs(delayOf(long.attempt) - 120_000) < 2_000, `${delayOf(long.attempt)}`);
      const short = await oneAttempt(`/429b-${dialect}`, (_r, res) => void res.writeHead(429, { 'retry-after': '2' }).end());
      assert.ok(delayOf(short.attempt) >= 60_000 && delayOf(short.attempt) < 62_000, `${delayOf(short.attempt)}`);
      const headers = JSON.parse(long.attempt.response_headers ?? '{}') as Record<string, string>;
      assert.equal(headers['retry-after'], '120');
    });

    it('a receiver that never answers times out at the deadline and is retried no sooner than 60 s', async () => {
      const { attempt, elapsed } = await oneAttempt(`/hang-${dialect}`, () => {});
      assert.equal(attempt.error_class, 'timeout');
      assert.equal(attempt.outcome, 'retry');
      assert.ok(attempt.duration_ms >= 900 && attempt.duration_ms < 2_500, `${attempt.duration_ms}`);
      assert.ok(elapsed < 5_000);
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
      const { attempt } = await oneAttempt(`/redirect-${dialect}`, (_r, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
      assert.equal(attempt.response_status, 302);
      assert.equal(attempt.error_class, 'http_status');
      assert.equal(attempt.outcome, 'retry');
      assert.equal(receiver.at(`/redirect-${dialect}`).length, 1);
    });

    it('a target that became private is blocked at the attempt, logged blocked and not retried', async () => {
      receiver.on(`/moved-${dialect}`, (_r, res) => void res.writeHead(200).end());
      const t = await tenantWithEndpoint(h.server, receiver.url(`/moved-${dialect}`), ['*']);
      await db().updateTable('webhook_endpoints').set({ url: 'http://10.0.0.1:8080/hook' }).where('id', '=', t.webhookId).execute(); // e.g. DNS now points inside
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await waitFor(async () => (await attemptsOf(t.webhookId)).length === 1, 10_000, 'the blocked attempt');
      const [attempt] = await attemptsOf(t.webhookId);
      assert.equal(attempt?.error_class, 'blocked');
      assert.equal(attempt?.outcome, 'blocked');
      assert.equal(attempt?.next_retry_at, null);
      assert.equal((await db().selectFrom('webhook_messages').select('status').where('endpoint_id', '=', t.webhookId).executeTakeFirstOrThrow()).status, 'failed');
      const jobs = await db().selectFrom('jobs').select('payload').where('name', '=', 'webhooks.deliver').execute();
      assert.ok(!jobs.some((j) => j.payload.includes(attempt?.message_id ?? '?')), 'no retry job');
    });

    it('a hanging endpoint does not slow a healthy one (in-flight cap, circuit breaker)', { timeout: 30_000 }, async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      receiver.on(`/stuck-${dialect}`, (_r, res) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        res.on('close', () => (inFlight -= 1));
      });
      const stuck = await tenantWithEndpoint(h.server, receiver.url(`/stuck-${dialect}`), ['*']);
      const { request } = await import('../testing/http.ts');
      const second = await request<{ webhook: { id: string } }>(h.server.baseUrl, 'POST', '/v1/webhooks', { token: stuck.apiKey, body: { url: receiver.url(`/fine-${dialect}`), events: ['*'] } });
      assert.equal(second.status, 201);
      const N = 60;
      const sent: number[] = [];
      for (let i = 0; i < N; i += 1) {
        sent.push(Date.now());
        await emit(h.server, stuck.customerId, 'usage.threshold_exceeded', { ...DATA, usage: i });
      }
      await waitFor(() => receiver.at(`/fine-${dialect}`).length === N, 10_000, 'all healthy deliveries');
      const latencies = receiver.at(`/fine-${dialect}`).map((r) => r.at - (sent[(JSON.parse(r.body) as { data: { usage: number } }).data.usage] as number)).sort((a, b) => a - b);
      const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1] as number;
      assert.ok(p99 < 900, `healthy p99 ${p99} ms must stay below the 1 s timeout of the stuck endpoint`);
      assert.ok(maxInFlight <= 8, `at most 8 attempts in flight to the stuck endpoint, saw ${maxInFlight}`);
      await waitFor(async () => (await db().selectFrom('webhook_endpoints').select('circuit_open_until').where('id', '=', stuck.webhookId).executeTakeFirstOrThrow()).circuit_open_until !== null, 10_000, 'the breaker to open');
      const beforeHold = receiver.at(`/stuck-${dialect}`).length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.ok(receiver.at(`/stuck-${dialect}`).length - beforeHold <= 1, 'while open, at most one probe');
      assert.ok(beforeHold < N, `the breaker held the queue (${beforeHold} of ${N} attempted)`);
    });

    it('enforces a per-endpoint rate limit', { timeout: 30_000 }, async () => {
      const path = `/rate-${dialect}`;
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['*'], { rate_limit_per_second: 5 });
      for (let i = 0; i < 15; i += 1) await emit(h.server, t.customerId, 'usage.threshold_exceeded', DATA);
      await waitFor(() => receiver.at(path).length === 15, 20_000, 'all rate-limited deliveries');
      const times = receiver.at(path).map((r) => r.at).sort((a, b) => a - b);
      const span = (times[14] as number) - (times[0] as number);
      assert.ok(span >= 2_600, `15 deliveries at 5/s take about 2.8 s, took ${span} ms`);
      for (const start of times) assert.ok(times.filter((x) => x >= start && x < start + 1000).length <= 6, 'no more than rate + 1 in any second');
    });
  });
}
