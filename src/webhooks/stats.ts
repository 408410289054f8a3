/** Delivery statistics of an endpoint over a window, pure: success rate and latency percentiles. */

/** One window's figures. */
export interface WindowStats {
  attempts: number;
  delivered: number;
  failed: number;
  unknown: number;
  success_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}

/** The q-quantile (0..1) of sorted values by the nearest-rank method; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * Summarises attempts (outcome, duration) into a window's figures. Attempts without a result
 * (`unknown`) count as attempts, but neither as failures nor in the latencies.
 */
export function windowStats(sample: readonly { outcome: string; duration_ms: number }[]): WindowStats {
  const delivered = sample.filter((s) => s.outcome === 'delivered').length;
  const finished = sample.filter((s) => s.outcome !== 'unknown');
  const durations = finished.map((s) => s.duration_ms).sort((a, b) => a - b);
  return {
    attempts: sample.length,
    delivered,
    failed: finished.length - delivered,
    unknown: sample.length - finished.length,
    success_rate: sample.length === 0 ? null : Math.round((delivered / sample.length) * 10_000) / 10_000,
    latency_ms: { p50: quantile(durations, 0.5), p95: quantile(durations, 0.95), p99: quantile(durations, 0.99) },
  };
}
