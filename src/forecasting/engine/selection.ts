/**
 * Per-series choice by rolling-origin cross-validation: refit on the history
 * without its last block, forecast that block with every candidate (the
 * trimmed and mean combinations and their members) and keep the candidate
 * with the smallest error — unless history is too short, in which case the
 * trimmed combination, the safest choice on average, is used.
 */
import { combine, combineTrimmed, fitCombinationParts, type CombinationParts, type Component } from './combination.ts';

/** Candidates considered by the selection. */
export const CANDIDATES = ['trimmed', 'comb', 'ets', 'theta', 'damped'] as const;
export type Candidate = (typeof CANDIDATES)[number];

/** The forecast of one candidate from fitted parts, or null if that member could not be fitted. */
export function candidateForecast(parts: CombinationParts, which: Candidate, H: number): Component | null {
  if (which === 'comb') return combine(parts.components, H);
  if (which === 'trimmed') return combineTrimmed(parts.components, H);
  return parts.components.find((c) => c.role === which) ?? null;
}

/** Outcome of the hold-out comparison. */
export interface HoldoutResult {
  choice: Candidate;
  /** Mean absolute hold-out error of each candidate that could be fitted. */
  errors: Partial<Record<Candidate, number>>;
  /** Length of the hold-out block. */
  block: number;
}

/** Hold-out block length for a history of n points and horizon H; 0 when history is too short. */
export function holdoutLength(n: number, m: number, H: number): number {
  const block = Math.min(H, Math.floor(n / 4));
  const minTrain = Math.max(2 * m + 2, 8);
  return block >= 1 && n - block >= minTrain ? block : 0;
}

/**
 * Compares candidates on the last block of the history. A candidate
 * replaces the trimmed combination only if its error is at least `margin`
 * (fraction) smaller, because a single block is a noisy judge.
 */
export function selectByHoldout(
  y: ArrayLike<number>,
  m: number,
  H: number,
  margin = 0.1,
  pool: readonly Candidate[] = CANDIDATES,
): HoldoutResult {
  const n = y.length;
  const block = holdoutLength(n, m, H);
  if (block === 0) return { choice: 'trimmed', errors: {}, block: 0 };
  const train = Array.prototype.slice.call(y, 0, n - block) as number[];
  const parts = fitCombinationParts(train, m, block, false);
  const errors: Partial<Record<Candidate, number>> = {};
  for (const c of pool) {
    const fc = candidateForecast(parts, c, block);
    if (!fc) continue;
    let s = 0;
    for (let h = 0; h < block; h++) s += Math.abs((y[n - block + h] as number) - (fc.mean[h] as number));
    errors[c] = s / block;
  }
  let choice: Candidate = 'trimmed';
  const base = errors.trimmed ?? Infinity;
  let best = base * (1 - margin);
  for (const c of pool) {
    const e = errors[c];
    if (e !== undefined && e < best) {
      best = e;
      choice = c;
    }
  }
  return { choice, errors, block };
}
