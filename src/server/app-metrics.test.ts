import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { manualClock } from '../config/clock.ts';
import { TEST_DIALECTS, createTestDatabase } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import type { AttemptId, EndpointId, MessageId } from '../webhooks/ids.ts';
import type { AttemptOutcomeKind } from '../webhooks/tables.ts';
import { startAppMetricsPublisher } from './app-metrics-publisher.ts';
import { APP_METRICS, embeddedMetricLine } from './app-metrics.ts';

describe('embeddedMetricLine', () => {
  it('is one CloudWatch embedded-metric JSON object naming every metric once, without dimensions', () => {
    const line = embeddedMetricLine(
      { jobBacklog: 7, jobBacklogAgeSeconds: 42, webhookAttempts: 10, webhookFailures: 3 },
      new Date('2026-01-05T10:00:00.000Z'),
    );
    assert.ok(!line.includes('\n'));
    assert.deepEqual(JSON.parse(line), {
      _aws: {
        Timestamp: Date.parse('2026-01-05T10:00:00.000Z'),
        CloudWatchMetrics: [
          {
            Namespace: 'SecureBase',
            Dimensions: [[]],
            Metrics: [
              { Name: 'JobBacklog', Unit: 'Count' },
              { Name: 'JobBacklogOldestAgeSeconds', Unit: 'Seconds' },
              { Name: 'WebhookDeliveryAttempts', Unit: 'Count' },
              { Name: 'WebhookDeliveryFailures', Unit: 'Count' },
            ],
          },
        ],
      },
      JobBacklog: 7,
      JobBacklogOldestAgeSeconds: 42,
      WebhookDeliveryAttempts: 10,
      WebhookDeliveryFailures: 3,
    });
    assert.equal(APP_METRICS.namespace, 'SecureBase');
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`the CloudWatch figures (${dialect})`, () => {
    const start = new Date('2026-01-05T10:00:00.000Z');
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000).toISOString();
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(() => database.destroy());

    const job = (
      id: string,
      fields: { status: 'pending' | 'running' | 'dead'; run_at: string; locked_until?: string },
    ) =>
      database.db
        .insertInto('jobs')
        .values({
          id,
          name: 'metrics.test',
          payload: '{}',
          attempts: 0,
          max_attempts: 5,
          locked_by: fields.locked_until ? 'wrk_other' : null,
          locked_until: fields.locked_until ?? null,
          last_error: null,
          unique_key: null,
          created_at: at(0),
          updated_at: at(0),
          ...fields,
        })
        .execute();
    let attempts = 0;
    const attempt = (outcome: AttemptOutcomeKind, startedAt: string) =>
      database.db
        .insertInto('webhook_attempts')
        .values({
          id: `atm_metrics_${++attempts}` as AttemptId,
          message_id: 'msg_metrics' as MessageId,
          endpoint_id: 'wh_metrics' as EndpointId,
          customer_id: 'cus_metrics',
          attempt: attempts,
          trigger: 'scheduled',
          request_headers: '{}',
          response_truncated: 0,
          duration_ms: 5,
          outcome,
          created_at: startedAt,
        })
        .execute();

    it('counts claimable jobs and the webhook attempts finished one period ago, in consecutive windows', async () => {
      const clock = manualClock(new Date(at(540)));
      // Claimable at 600 s: two due pending jobs (oldest due at 100 s) and one expired lease (since 300 s).
      await job('job_due_old', { status: 'pending', run_at: at(100) });
      await job('job_due_new', { status: 'pending', run_at: at(590) });
      await job('job_expired', { status: 'running', run_at: at(50), locked_until: at(300) });
      // Not claimable: due later, leased until later, dead.
      await job('job_later', { status: 'pending', run_at: at(900) });
      await job('job_leased', { status: 'running', run_at: at(10), locked_until: at(700) });
      await job('job_dead', { status: 'dead', run_at: at(0) });
      // Started at 540 s, the publisher counts attempts started in [480 s, 540 s) at 600 s, then [540 s, 600 s).
      await attempt('delivered', at(470));
      await attempt('delivered', at(480));
      await attempt('retry', at(500));
      await attempt('failed', at(530));
      await attempt('unknown', at(539));
      await attempt('delivered', at(540));
      await attempt('blocked', at(599));

      const lines: string[] = [];
      const publisher = startAppMetricsPublisher({ database, clock, logger: pino({ level: 'silent' }) }, (line) =>
        lines.push(line),
      );
      publisher.stop();
      clock.advance(60_000);
      await publisher.publish();
      clock.advance(60_000);
      await database.db.deleteFrom('jobs').execute();
      await publisher.publish();

      const figures = lines.map((line) => {
        const parsed = JSON.parse(line) as Record<string, unknown> & { _aws: { Timestamp: number } };
        return [
          parsed._aws.Timestamp,
          parsed.JobBacklog,
          parsed.JobBacklogOldestAgeSeconds,
          parsed.WebhookDeliveryAttempts,
          parsed.WebhookDeliveryFailures,
        ];
      });
      assert.deepEqual(figures, [
        [Date.parse(at(600)), 3, 500, 3, 2],
        [Date.parse(at(660)), 0, 0, 2, 1],
      ]);
    });
  });
}
