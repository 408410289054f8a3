/**
 * In-sample multi-step forecasts of a fitted ETS model: the recursions are
 * run once and, at every origin, the h-step point forecasts are taken from
 * the current state. Parameters stay fixed, so this costs O(n·H), cheap
 * enough to feed horizon-wise interval calibration.
 */
import { etsPointForecast, type EtsState } from './ets-model.ts';
import type { EtsFit } from './ets-fit.ts';

/** Rows of h-step forecasts (h = 1..H) made after o observations, for o = minOrigin..n−1. */
export function etsInSample(fit: EtsFit, y: ArrayLike<number>, H: number, minOrigin: number): Float64Array[] {
  const { spec, m } = fit;
  const { alpha, beta, gamma } = fit.params;
  const phi = spec.trend === 'Ad' ? fit.params.phi : 1;
  const hasTrend = spec.trend !== 'N';
  const n = y.length;
  const s = new Float64Array(m);
  if (spec.season !== 'N') s.set(fit.params.s0);
  const state: EtsState = { l: fit.params.l0, b: hasTrend ? fit.params.b0 : 0, s, t: 0 };
  const rows: Float64Array[] = [];
  for (let t = 0; t < n; t++) {
    if (t >= minOrigin) rows.push(etsPointForecast(spec, phi, state, m, H));
    const yt = y[t] as number;
    const idx = t % m;
    const phib = hasTrend ? phi * state.b : 0;
    const q = state.l + phib;
    const si = s[idx] as number;
    const pl = spec.season === 'N' ? yt : spec.season === 'A' ? yt - si : yt / si;
    const ln = q + alpha * (pl - q);
    if (hasTrend) state.b = phib + (beta / alpha) * (ln - state.l - phib);
    if (spec.season === 'A') s[idx] = si + gamma * (yt - q - si);
    else if (spec.season === 'M') s[idx] = si + gamma * (yt / q - si);
    state.l = ln;
    state.t = t + 1;
  }
  return rows;
}
