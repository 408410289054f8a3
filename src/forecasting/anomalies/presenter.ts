/** A stored anomaly as every reader sees it: the anomaly API, the forecast and its event. */
import { microsToNumber } from '../money.ts';
import type { AnomalyRow } from './repository.ts';

export type AnomalyRule = 'residual_mad' | 'prior_week_150' | 'both';

/** The API view (`AnomalyView`): amounts in currency units. */
export function presentAnomaly(row: AnomalyRow) {
  return {
    id: row.id,
    date: row.date,
    service: row.service,
    actual: microsToNumber(Number(row.actual_micros)),
    expected: microsToNumber(Number(row.expected_micros)),
    impact: microsToNumber(Number(row.impact_micros)),
    score: Number(row.score),
    direction: row.direction,
    rule: row.rule as AnomalyRule,
    reason: row.reason,
    detected_at: row.detected_at,
  };
}

/** The `cost.anomaly_detected` data (the catalog's schema): the view, named by `anomaly_id`, with the currency. */
export function anomalyEventData(row: AnomalyRow, currency: string) {
  const { id, detected_at: _detectedAt, ...view } = presentAnomaly(row);
  return { anomaly_id: id, ...view, currency };
}
