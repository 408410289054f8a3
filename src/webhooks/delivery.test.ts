import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { manualClock } from '../config/clock.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { request } from '../testing/http.ts';
import { emit } from './testing/events.ts';
import { startHarness, tenantWithEndpoint, waitFor, waitForDueWork } from './testing/harness.ts';
import type { WebhookHarness } from './testing/harness.ts';
import { startReceiver } from './testing/receiver.ts';
import type { Received, Receiver } from './testing/receiver.ts';
import { RETENTION_JOB } from './retention.ts';
import type { AttemptId, MessageId } from './ids.ts';

const headersOf = (r: Received) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

function verifyBoth(secret: string, r: Received): void {
  const headers = headersOf(r);
  assert.ok(new StandardWebhook(secret).verify(r.body, headers), 'standardwebhooks verifies');
  assert.ok(new SvixWebhook(secret).verify(r.body, headers), 'svix verifies');
}

type Delivery = {
  id: string;
  status: string;
  attempts: number;
  event_type: string;
  last_response_status: number | null;
};
type Detail = Delivery & {
  payload: { id: string; type: string; data: unknown };
  attempt_log: {
    attempt: number;
    trigger: string;
    outcome: string;
    request_headers: Record<string, string>;
    response_status: number;
    response_body: string;
    duration_ms: number;
    next_retry_at: string | null;
    error_class: string | null;
  }[];
};

for (const dialect of TEST_DIALECTS) {
  describe(`webhook delivery on ${dialect}`, () => {
    let h: WebhookHarness;
    let receiver: Receiver;
    before(async () => {
      h = await startHarness(dialect);
      receiver = await startReceiver();
    });
    after(async () => {
      await h.close();
      await receiver.close();
    });

    it('delivers the exact body with Standard Webhooks headers that standardwebhooks and svix verify, and rejects tampering', async () => {
      const path = `/sig-${dialect}`;
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['invoice.paid'], {
        headers: { 'x-team': 'billing' },
      });
      const eventId = await emit(h.server, t.customerId, 'invoice.paid', {
        invoice_id: 'inv_1',
        amount: 12.5,
        currency: 'EUR',
        due_date: '2026-12-01',
        paid_at: 'now',
      });
      await emit(h.server, t.customerId, 'ticket.created', { ticket: {} }); // not subscribed
      await waitFor(() => receiver.at(path).length === 1, 10_000, 'the delivery');
      const [r] = receiver.at(path) as [Received];
      verifyBoth(t.secret, r);
      assert.equal(r.headers['webhook-id'], eventId);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['user-agent'], 'SecureBase-Webhooks/1.0');
      assert.equal(r.headers['x-securebase-event'], 'invoice.paid');
      assert.match(String(r.headers['x-securebase-delivery']), /^atm_/);
      assert.equal(r.headers['x-team'], 'billing');
      assert.ok(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000) < 5);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['id', 'type', 'timestamp', 'customer_id', 'data']);
      assert.equal(body.customer_id, t.customerId);
      const headers = headersOf(r);
      assert.throws(() => new StandardWebhook(t.secret).verify(r.body.replace('12.5', '99.5'), headers));
      assert.throws(() => new SvixWebhook(t.secret).verify(r.body.replace('12.5', '99.5'), headers));
      assert.throws(() => new StandardWebhook(t.secret).verify(r.body, { ...headers, 'webhook-id': 'evt_other' }));
      const messages = () =>
        h.server.ctx.database.db
          .selectFrom('webhook_messages')
          .select(['event_id', 'status'])
          .where('endpoint_id', '=', t.webhookId)
          .execute();
      await waitFor(
        async () => (await messages()).every((m) => m.status === 'delivered'),
        10_000,
        'the result to be recorded',
      );
      assert.equal(receiver.at(path).length, 1, 'unsubscribed types are not delivered');

      // The log: list (and the seed's alias), one delivery with its attempt, stats.
      const list = await request<{ deliveries: Delivery[] }>(
        h.server.baseUrl,
        'GET',
        `/v1/webhooks/${t.webhookId}/deliveries`,
        { token: t.apiKey },
      );
      assert.equal(list.body.deliveries.length, 1);
      assert.equal(list.body.deliveries[0]?.status, 'delivered');
      const alias = await request<{ deliveries: Delivery[] }>(
        h.server.baseUrl,
        'GET',
        `/v1/webhooks/deliveries?webhookId=${t.webhookId}&status=delivered`,
        { token: t.apiKey },
      );
      assert.deepEqual(
        alias.body.deliveries.map((d) => d.id),
        list.body.deliveries.map((d) => d.id),
      );
      const detail = await request<Detail>(
        h.server.baseUrl,
        'GET',
        `/v1/webhooks/${t.webhookId}/deliveries/${list.body.deliveries[0]?.id}`,
        { token: t.apiKey },
      );
      assert.equal(detail.status, 200);
      assert.equal(detail.body.payload.id, eventId);
      const [attempt] = detail.body.attempt_log;
      assert.equal(attempt?.response_status, 200);
      assert.equal(attempt?.response_body, 'ok');
      assert.equal(attempt?.outcome, 'delivered');
      assert.equal(attempt?.request_headers['x-team'], '[redacted]');
      assert.equal(attempt?.request_headers['webhook-id'], eventId);
      assert.ok(!JSON.stringify(detail.body).includes(t.secret.slice(6)));
      const stats = await request<{
        last_24h: { attempts: number; success_rate: number; latency_ms: { p99: number } };
      }>(h.server.baseUrl, 'GET', `/v1/webhooks/${t.webhookId}/stats`, { token: t.apiKey });
      assert.equal(stats.body.last_24h.attempts, 1);
      assert.equal(stats.body.last_24h.success_rate, 1);
      assert.ok(stats.body.last_24h.latency_ms.p99 >= 0);
    });

    it('signs with every valid secret during rotation; both libraries verify with the old and the new secret', async () => {
      const path = `/rotate-${dialect}`;
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['*']);
      const rotated = await request<{ secret: string; previous_secrets_expire_at: string }>(
        h.server.baseUrl,
        'POST',
        `/v1/webhooks/${t.webhookId}/rotate-secret`,
        { token: t.apiKey, body: { grace_period_seconds: 3600 } },
      );
      assert.equal(rotated.status, 200);
      assert.notEqual(rotated.body.secret, t.secret);
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', { metric: 'api', usage: 2, threshold: 1 });
      await waitFor(() => receiver.at(path).length === 1, 10_000, 'the delivery during rotation');
      const first = receiver.at(path)[0] as Received;
      assert.equal(String(first.headers['webhook-signature']).split(' ').length, 2);
      verifyBoth(t.secret, first);
      verifyBoth(rotated.body.secret, first);
      // Grace 0: only the newest secret signs.
      const again = await request<{ secret: string }>(
        h.server.baseUrl,
        'POST',
        `/v1/webhooks/${t.webhookId}/rotate-secret`,
        { token: t.apiKey, body: { grace_period_seconds: 0 } },
      );
      await emit(h.server, t.customerId, 'usage.threshold_exceeded', { metric: 'api', usage: 3, threshold: 1 });
      await waitFor(() => receiver.at(path).length === 2, 10_000, 'the delivery after rotation');
      const second = receiver.at(path)[1] as Received;
      assert.equal(String(second.headers['webhook-signature']).split(' ').length, 1);
      verifyBoth(again.body.secret, second);
      assert.throws(() => new StandardWebhook(t.secret).verify(second.body, headersOf(second)));
      assert.throws(() => new SvixWebhook(rotated.body.secret).verify(second.body, headersOf(second)));
    });

    it('sends a synchronous test event through the same signer (and the seed alias)', async () => {
      const path = `/test-${dialect}`;
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['ticket.created']);
      const res = await request<{ success: boolean; status_code: number; response: string; duration_ms: number }>(
        h.server.baseUrl,
        'POST',
        `/v1/webhooks/${t.webhookId}/test`,
        { token: t.apiKey },
      );
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.success, res.body.status_code, res.body.response], [true, 200, 'ok']);
      const alias = await request<{ success: boolean }>(
        h.server.baseUrl,
        'POST',
        `/v1/webhooks/test?webhookId=${t.webhookId}`,
        { token: t.apiKey },
      );
      assert.equal(alias.body.success, true);
      const [r] = receiver.at(path) as [Received];
      verifyBoth(t.secret, r);
      assert.equal(r.headers['x-securebase-event'], 'webhook.test');
    });

    it('retries a failed delivery by hand and recovers failed deliveries since a time', async () => {
      const path = `/manual-${dialect}`;
      let healthy = false;
      receiver.on(path, (_req, res) => void res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'down'));
      const t = await tenantWithEndpoint(h.server, receiver.url(path), ['api_key.created'], {
        retry_schedule_seconds: [0],
      });
      const since = new Date(Date.now() - 1000).toISOString();
      for (let i = 0; i < 3; i += 1)
        await emit(h.server, t.customerId, 'api_key.created', { api_key_id: `k${i}`, name: 'ci', prefix: 'sb_live_x' });
      const failed = async () =>
        (
          await request<{ deliveries: Delivery[] }>(
            h.server.baseUrl,
            'GET',
            `/v1/webhooks/${t.webhookId}/deliveries?status=failed`,
            { token: t.apiKey },
          )
        ).body.deliveries;
      await waitFor(async () => (await failed()).length === 3, 10_000, 'three failed deliveries');
      healthy = true;
      const [one] = await failed();
      const retry = await request<Delivery>(
        h.server.baseUrl,
        'POST',
        `/v1/webhooks/${t.webhookId}/deliveries/${one?.id}/retry`,
        { token: t.apiKey },
      );
      assert.equal(retry.status, 202);
      assert.equal(retry.body.status, 'pending');
      const delivered = async () =>
        (
          await request<{ deliveries: Delivery[] }>(
            h.server.baseUrl,
            'GET',
            `/v1/webhooks/${t.webhookId}/deliveries?status=delivered`,
            { token: t.apiKey },
          )
        ).body.deliveries;
      await waitFor(async () => (await delivered()).length === 1, 10_000, 'the manual retry');
      const detail = await request<Detail>(
        h.server.baseUrl,
        'GET',
        `/v1/webhooks/${t.webhookId}/deliveries/${one?.id}`,
        { token: t.apiKey },
      );
      assert.deepEqual(
        detail.body.attempt_log.map((a) => [a.attempt, a.trigger, a.outcome]),
        [
          [1, 'scheduled', 'failed'],
          [2, 'manual', 'delivered'],
        ],
      );
      const recovered = await request<{ recovered: number }>(
        h.server.baseUrl,
        'POST',
        `/v1/webhooks/${t.webhookId}/recover`,
        { token: t.apiKey, body: { since } },
      );
      assert.equal(recovered.body.recovered, 2);
      await waitFor(async () => (await delivered()).length === 3, 10_000, 'the recovery');
      assert.equal(receiver.at(path).length, 6);
    });

    it('sweeps delivery logs older than the retention', async () => {
      const db = h.server.ctx.database.db;
      const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
      const t = await tenantWithEndpoint(h.server, receiver.url(`/ret-${dialect}`), ['*']);
      await db
        .insertInto('webhook_messages')
        .values({
          id: `msg_old_${dialect}` as MessageId,
          endpoint_id: t.webhookId,
          customer_id: t.customerId,
          event_id: 'evt_old',
          event_type: 'invoice.paid',
          body: '{}',
          status: 'delivered',
          attempts: 1,
          created_at: old,
          updated_at: old,
        })
        .execute();
      await db
        .insertInto('webhook_attempts')
        .values({
          id: `atm_old_${dialect}` as AttemptId,
          message_id: `msg_old_${dialect}` as MessageId,
          endpoint_id: t.webhookId,
          customer_id: t.customerId,
          attempt: 1,
          trigger: 'scheduled',
          request_headers: '{}',
          response_truncated: 0,
          duration_ms: 1,
          outcome: 'delivered',
          created_at: old,
        })
        .execute();
      const { webhookJobs } = await import('./jobs.ts');
      const handler = webhookJobs(h.server.ctx, h.engine)[RETENTION_JOB];
      await handler?.(
        { id: 'j', name: RETENTION_JOB, payload: {}, attempts: 1, maxAttempts: 1 },
        {
          db,
          signal: new AbortController().signal,
          workerId: 't',
          now: () => new Date(),
          completeWithin: async () => {},
        },
      );
      assert.equal(
        (
          await db
            .selectFrom('webhook_messages')
            .select('id')
            .where('id', '=', `msg_old_${dialect}` as MessageId)
            .execute()
        ).length,
        0,
      );
      assert.equal(
        (
          await db
            .selectFrom('webhook_attempts')
            .select('id')
            .where('id', '=', `atm_old_${dialect}` as AttemptId)
            .execute()
        ).length,
        0,
      );
    });
  });

  describe(`webhook retry schedule on ${dialect} (injected clock)`, () => {
    it(
      'follows 0, 5 s, 5 min, 30 min (jitter fixed at its midpoint), then delivers; disables after N failing days with an event',
      { timeout: 60_000 },
      async () => {
        const clock = manualClock(new Date());
        const h = await startHarness(dialect, { clock, engine: { random: () => 0.5 } });
        const receiver = await startReceiver();
        try {
          let answer = 500;
          receiver.on('/flaky', (_req, res) => void res.writeHead(answer).end());
          const t = await tenantWithEndpoint(h.server, receiver.url('/flaky'), ['cost.anomaly_detected']);
          await emit(h.server, t.customerId, 'cost.anomaly_detected', { service: 'compute', expected: 1, actual: 2 });
          const expected = [5_000, 300_000, 1_800_000];
          for (let n = 1; n <= 3; n += 1) {
            await waitFor(() => receiver.at('/flaky').length === n, 10_000, `attempt ${n}`);
            const attempts = await h.server.ctx.database.db
              .selectFrom('webhook_attempts')
              .selectAll()
              .where('endpoint_id', '=', t.webhookId)
              .orderBy('attempt')
              .execute();
            const finished = () =>
              h.server.ctx.database.db
                .selectFrom('webhook_attempts')
                .select('id')
                .where('endpoint_id', '=', t.webhookId)
                .where('outcome', '!=', 'unknown')
                .execute();
            await waitFor(async () => (await finished()).length === n, 5_000, `attempt ${n} logged`);
            const last = await h.server.ctx.database.db
              .selectFrom('webhook_attempts')
              .selectAll()
              .where('endpoint_id', '=', t.webhookId)
              .where('attempt', '=', n)
              .executeTakeFirstOrThrow();
            assert.ok(attempts.length <= n);
            const delay = Date.parse(last.next_retry_at ?? '') - clock().getTime();
            assert.ok(
              Math.abs(delay - (expected[n - 1] as number)) < 1_000,
              `attempt ${n}: next retry in ${delay} ms, expected ${expected[n - 1]}`,
            );
            // Nothing happens before the delay is over.
            clock.advance((expected[n - 1] as number) - 2_000);
            h.runner.wake();
            // A retry that fell due early would run before this returns, and show at the receiver.
            await waitForDueWork(h.server);
            assert.equal(receiver.at('/flaky').length, n, 'no early retry');
            if (n === 3) answer = 200;
            clock.advance(3_000);
            h.runner.wake();
          }
          await waitFor(() => receiver.at('/flaky').length === 4, 10_000, 'attempt 4');
          await waitFor(
            async () =>
              (
                await h.server.ctx.database.db
                  .selectFrom('webhook_messages')
                  .select('status')
                  .where('endpoint_id', '=', t.webhookId)
                  .executeTakeFirst()
              )?.status === 'delivered',
            5_000,
            'delivered',
          );

          // Failing for 5 days: every attempt fails from now on.
          answer = 500;
          await emit(h.server, t.customerId, 'cost.anomaly_detected', { service: 'compute', expected: 1, actual: 3 });
          await waitFor(() => receiver.at('/flaky').length === 5, 10_000, 'first failing attempt');
          clock.advance(5 * 86_400_000 + 60_000);
          await emit(h.server, t.customerId, 'cost.anomaly_detected', { service: 'compute', expected: 1, actual: 4 });
          await waitFor(
            async () =>
              (
                await h.server.ctx.database.db
                  .selectFrom('webhook_endpoints')
                  .select('status')
                  .where('id', '=', t.webhookId)
                  .executeTakeFirst()
              )?.status === 'disabled_failing',
            10_000,
            'disabled_failing',
          );
          const events = await h.server.ctx.database.db
            .selectFrom('events')
            .selectAll()
            .where('type', '=', 'webhook.endpoint_disabled')
            .where('customer_id', '=', t.customerId)
            .execute();
          assert.equal(events.length, 1, JSON.stringify(events));
          assert.equal((JSON.parse(events[0]?.data ?? '{}') as { reason: string }).reason, 'disabled_failing');
        } finally {
          await h.close();
          await receiver.close();
        }
      },
    );
  });
}
