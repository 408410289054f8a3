/**
 * Anomaly evaluation for one tenant: reads its recent daily costs, detects anomalies (CPU work,
 * outside any transaction) over the last 90 complete days that have data, then in one transaction stores the
 * new ones and emits `cost.anomaly_detected` once for each row actually added. Re-running finds the
 * same days, adds nothing and so emits nothing. Only the last 90 days are looked at: older days were
 * judged when their data arrived, and re-scoring years of history on every write would be waste
 * (a correction to an older day is not re-judged).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import { emitEvents } from '../../events/outbox.ts';
import { newAnomalyId } from '../ids.ts';
import { microsToNumber, unitsToMicros } from '../money.ts';
import { dailyCostsByService } from '../records/store.ts';
import { detectAnomalies } from './detect.ts';
import type { DetectedAnomaly } from './detect.ts';
import { anomalyEventData } from './presenter.ts';
import { insertNewAnomalies } from './repository.ts';
import type { AnomalyRow } from './repository.ts';

/** Days (ending with the last complete one) whose anomalies each evaluation looks for. */
const DETECTION_WINDOW_DAYS = 90;
/** History before the window the rules look back on (6-week baseline + 8 weeks of residuals). */
const LOOKBACK_DAYS = 100;

const DAY_MS = 86_400_000;
const dayBefore = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);

/** Detects and stores a tenant's new anomalies; returns those added (each with its event emitted). */
export async function evaluateAnomalies(
  db: Kysely<Database>,
  customerId: string,
  currency: string,
  now: Date,
): Promise<AnomalyRow[]> {
  // Today is partial: the last complete day is yesterday (UTC), or the last day with data when the
  // data lag behind (a day not loaded yet is not a drop to zero).
  const yesterday = dayBefore(now.toISOString().slice(0, 10), 1);
  const days = await dailyCostsByService(db, customerId, {
    from: dayBefore(yesterday, DETECTION_WINDOW_DAYS - 1 + LOOKBACK_DAYS),
    to: yesterday,
  });
  const to = days.reduce((last, d) => (d.date > last ? d.date : last), '');
  if (to === '') return [];
  const found: DetectedAnomaly[] = detectAnomalies(
    days.map((d) => ({ date: d.date, service: d.service, amount: microsToNumber(d.amountMicros) })),
    { from: dayBefore(to, DETECTION_WINDOW_DAYS - 1), to, currency },
  );
  if (found.length === 0) return [];
  const detectedAt = now.toISOString();
  const rows = found.map((a) => ({
    id: newAnomalyId(now),
    customer_id: customerId,
    date: a.date,
    service: a.service,
    actual_micros: unitsToMicros(a.actual),
    expected_micros: unitsToMicros(a.expected),
    impact_micros: unitsToMicros(a.actual) - unitsToMicros(a.expected),
    score: Math.round(a.score * 100) / 100,
    direction: a.direction,
    rule: a.rule,
    reason: a.reason,
    detected_at: detectedAt,
  }));
  return db.transaction().execute(async (trx) => {
    const added = await insertNewAnomalies(trx, rows);
    if (added.length === 0) return added;
    await emitEvents(
      trx,
      added.map((row) => ({ type: 'cost.anomaly_detected', customerId, data: anomalyEventData(row, currency) })),
      now,
    );
    return added;
  });
}
