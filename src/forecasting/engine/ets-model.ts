/**
 * The ETS state-space recursions (Hyndman et al. 2008): one pass over the
 * data computing the likelihood, and point forecasts from a state. Error type
 * does not change the state updates, only the likelihood, so one loop serves
 * all fifteen admissible models.
 */

/** Error, trend and season components of an ETS model. */
export type ErrorType = 'A' | 'M';
export type TrendType = 'N' | 'A' | 'Ad';
export type SeasonType = 'N' | 'A' | 'M';

/** An ETS model form, e.g. {error:'M', trend:'Ad', season:'M'} = ETS(M,Ad,M). */
export interface EtsSpec {
  error: ErrorType;
  trend: TrendType;
  season: SeasonType;
}

/** Smoothing parameters (beta and gamma on R's scale: beta ≤ alpha, gamma ≤ 1 − alpha) and initial states. */
export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  l0: number;
  b0: number;
  /** Initial seasonal states; s0[j] is the season of time index j (mod m). */
  s0: Float64Array;
}

/** State after the last observation, enough to forecast. */
export interface EtsState {
  l: number;
  b: number;
  /** Circular seasonal buffer: the season of time index t is s[t mod m]. */
  s: Float64Array;
  /** Number of observations consumed (the next time index). */
  t: number;
}

/** Human-readable model name, e.g. "ETS(M,Ad,M)". */
export function etsName(spec: EtsSpec): string {
  return `ETS(${spec.error},${spec.trend},${spec.season})`;
}

/** Sum of the trend multipliers: the h-step trend contribution is l + trendSum(h)·b. */
export function trendSum(trend: TrendType, phi: number, h: number): number {
  if (trend === 'N') return 0;
  if (trend === 'A') return h;
  let s = 0;
  let p = 1;
  for (let j = 1; j <= h; j++) {
    p *= phi;
    s += p;
  }
  return s;
}

/**
 * Runs the recursions over y and returns −2·log-likelihood (up to a constant)
 * = n·log(Σe²) + 2·Σlog|ŷ| for multiplicative error. Returns Infinity when a
 * multiplicative component would need a non-positive value. `state` (scratch,
 * length m) receives the seasonal buffer; `out` optionally receives the final
 * level/trend and one-step residuals.
 */
export function etsLikelihood(
  y: ArrayLike<number>,
  m: number,
  spec: EtsSpec,
  p: EtsParams,
  seasonBuf: Float64Array,
  out?: { state?: EtsState; fitted?: Float64Array; errors?: Float64Array },
): number {
  const n = y.length;
  const trend = spec.trend === 'N' ? 0 : 1;
  const phi = spec.trend === 'Ad' ? p.phi : 1;
  const season = spec.season === 'N' ? 0 : spec.season === 'A' ? 1 : 2;
  const multErr = spec.error === 'M';
  const { alpha, gamma } = p;
  const bRatio = trend ? p.beta / alpha : 0;
  const mm = season ? m : 1;
  for (let j = 0; j < mm; j++) seasonBuf[j] = season ? (p.s0[j] as number) : 0;
  let l = p.l0;
  let b = trend ? p.b0 : 0;
  let sse = 0;
  let slog = 0;
  let prod = 1;
  let j = 0;
  for (let t = 0; t < n; t++) {
    const yt = y[t] as number;
    const phib = phi * b;
    const q = l + phib;
    const si = season ? (seasonBuf[j] as number) : 0;
    const f = season === 0 ? q : season === 1 ? q + si : q * si;
    let e: number;
    if (multErr) {
      if (!(f > 0)) return Infinity;
      e = (yt - f) / f;
      // Σ log f accumulated as a product, renormalised to avoid overflow: one log per 16 steps.
      prod *= f;
      if ((t & 15) === 15) {
        slog += Math.log(prod);
        prod = 1;
      }
    } else {
      e = yt - f;
    }
    if (out?.fitted) out.fitted[t] = f;
    if (out?.errors) out.errors[t] = e;
    sse += e * e;
    let pl: number;
    if (season === 0) pl = yt;
    else if (season === 1) pl = yt - si;
    else {
      if (!(si > 0) || !(q > 0)) return Infinity;
      pl = yt / si;
    }
    const ln = q + alpha * (pl - q);
    if (trend) b = phib + bRatio * (ln - l - phib);
    if (season === 1) seasonBuf[j] = si + gamma * (yt - q - si);
    else if (season === 2) seasonBuf[j] = si + gamma * (yt / q - si);
    l = ln;
    j++;
    if (j === mm) j = 0;
  }
  if (out?.state) {
    out.state.l = l;
    out.state.b = b;
    // Re-align the circular buffer so that s[t mod m] is the season of time index t.
    const s = new Float64Array(m);
    if (season) for (let k = 0; k < m; k++) s[(n + k) % m] = seasonBuf[(n + k) % mm] as number;
    out.state.s = s;
    out.state.t = n;
  }
  slog += Math.log(prod);
  if (!Number.isFinite(sse) || !Number.isFinite(slog)) return Infinity;
  return n * Math.log(Math.max(sse, 1e-300)) + 2 * slog;
}

/** Point forecasts for h = 1..H from a state. */
export function etsPointForecast(spec: EtsSpec, phi: number, state: EtsState, m: number, H: number): Float64Array {
  const out = new Float64Array(H);
  for (let h = 1; h <= H; h++) {
    const lb = state.l + trendSum(spec.trend, phi, h) * state.b;
    const si = state.s[(state.t + h - 1) % m] as number;
    out[h - 1] = spec.season === 'N' ? lb : spec.season === 'A' ? lb + si : lb * si;
  }
  return out;
}
