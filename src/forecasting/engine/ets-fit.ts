/**
 * Maximum-likelihood fitting of one ETS model: heuristic initial states
 * (classical decomposition + a line through the first seasonally adjusted
 * points, as R's `ets` does), then bounded Nelder–Mead over the smoothing
 * parameters and the initial level/trend (and, optionally, seasonal states).
 */
import { etsLikelihood, type EtsParams, type EtsSpec, type EtsState } from './ets-model.ts';
import { nelderMead } from './optim.ts';
import { seasonalIndices } from './series.ts';
import { linearFit, variance } from './stats.ts';

/** A fitted ETS model with everything needed to forecast and compare by AICc. */
export interface EtsFit {
  spec: EtsSpec;
  m: number;
  params: EtsParams;
  state: EtsState;
  /** Innovation variance (relative for multiplicative error). */
  sigma2: number;
  /** −2·log-likelihood up to a constant shared by all models of the same data. */
  lik: number;
  /** Number of estimated parameters including σ (as R counts them). */
  k: number;
  aicc: number;
  n: number;
}

/** Fitting options: optimise seasonal initial states too (slower, slightly better fits). */
export interface EtsFitOptions {
  optimiseSeason?: boolean;
  maxEval?: number;
  /** Start from these parameters/states (e.g. a cheaper fit of the same form) instead of the heuristics. */
  start?: EtsParams;
}

const LO = 1e-4;
const HI = 0.9999;

/** Number of free parameters (excluding σ) of a model form with period m. */
export function etsParamCount(spec: EtsSpec, m: number): number {
  let k = 2; // alpha, l0
  if (spec.trend !== 'N') k += 2;
  if (spec.trend === 'Ad') k += 1;
  if (spec.season !== 'N') k += m; // gamma + m−1 states
  return k;
}

/** Heuristic initial states used as the optimiser's starting point. */
export function initialStates(
  y: ArrayLike<number>,
  m: number,
  spec: EtsSpec,
): { l0: number; b0: number; s0: Float64Array } {
  const n = y.length;
  const s0 = new Float64Array(m).fill(spec.season === 'M' ? 1 : 0);
  const adj: number[] = [];
  if (spec.season !== 'N') {
    const len = Math.min(n, 3 * m);
    const idx = seasonalIndices(
      Array.prototype.slice.call(y, 0, len) as number[],
      m,
      spec.season === 'M' ? 'multiplicative' : 'additive',
    );
    s0.set(idx);
  }
  const k = Math.min(n, Math.max(10, 2 * m));
  for (let t = 0; t < k; t++) {
    const v = y[t] as number;
    const s = s0[t % m] as number;
    adj.push(spec.season === 'M' ? v / s : spec.season === 'A' ? v - s : v);
  }
  if (spec.trend === 'N') {
    let mu = 0;
    const kk = Math.min(adj.length, Math.max(m, 3));
    for (let t = 0; t < kk; t++) mu += adj[t] as number;
    return { l0: mu / kk, b0: 0, s0 };
  }
  const fit = linearFit(adj);
  return { l0: fit.intercept, b0: fit.slope, s0 };
}

/**
 * Fits one model form by maximum likelihood. Returns null when the data
 * cannot support it (too short, or a multiplicative part meets a
 * non-positive value).
 */
export function fitEts(y: ArrayLike<number>, m: number, spec: EtsSpec, opts: EtsFitOptions = {}): EtsFit | null {
  const n = y.length;
  const seasonal = spec.season !== 'N';
  const mm = seasonal ? m : 1;
  const np = etsParamCount(spec, mm);
  if (n <= np + 1) return null;
  const init = opts.start
    ? { l0: opts.start.l0, b0: opts.start.b0, s0: Float64Array.from(opts.start.s0) }
    : initialStates(y, mm, spec);
  const st = opts.start;
  const sd = Math.sqrt(variance(y)) || Math.abs(init.l0) * 0.1 || 1;
  const trend = spec.trend !== 'N';
  const damped = spec.trend === 'Ad';
  const optSeason = seasonal && opts.optimiseSeason === true;
  // Parameter vector: [alpha, beta/alpha?, gamma/(1−alpha)?, phi?, l0, b0?, s_1..s_{m−1}?]
  const x0: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  const step: number[] = [];
  const push = (v: number, l: number, h: number, st: number): void => {
    x0.push(v);
    lo.push(l);
    hi.push(h);
    step.push(st);
  };
  // Starting values as in R's ets: small alpha for seasonal data, beta and gamma small relative to it.
  const a0 = st ? st.alpha : LO + (0.2 * (HI - LO)) / mm;
  push(a0, LO, HI, 0.1);
  if (trend) push(st ? Math.min(HI, Math.max(LO, st.beta / st.alpha)) : 0.1, LO, HI, 0.1);
  if (seasonal) push(st ? Math.min(HI, st.gamma / (1 - st.alpha)) : 0.05, 0, HI, 0.1);
  if (damped) push(st ? st.phi : 0.978, 0.8, 0.98, 0.05);
  push(init.l0, init.l0 - 5 * sd, init.l0 + 5 * sd, 0.2 * sd);
  if (trend) {
    const bs = Math.max(Math.abs(init.b0), sd / Math.max(n, 1));
    push(init.b0, init.b0 - 10 * bs, init.b0 + 10 * bs, 0.5 * bs);
  }
  if (optSeason) {
    const ss = spec.season === 'M' ? 0.05 : 0.05 * sd;
    for (let j = 0; j < m - 1; j++) {
      const v = init.s0[j] as number;
      if (spec.season === 'M') push(v, Math.max(1e-3, v - 0.5), v + 0.5, ss);
      else push(v, v - 2 * sd, v + 2 * sd, ss);
    }
  }
  const buf = new Float64Array(mm);
  const params: EtsParams = { alpha: 0, beta: 0, gamma: 0, phi: 1, l0: 0, b0: 0, s0: Float64Array.from(init.s0) };
  const decode = (x: Float64Array): EtsParams => {
    let i = 0;
    const alpha = x[i++] as number;
    params.alpha = alpha;
    params.beta = trend ? alpha * (x[i++] as number) : 0;
    params.gamma = seasonal ? (1 - alpha) * (x[i++] as number) : 0;
    params.phi = damped ? (x[i++] as number) : 1;
    params.l0 = x[i++] as number;
    params.b0 = trend ? (x[i++] as number) : 0;
    if (optSeason) {
      let tot = 0;
      for (let j = 0; j < m - 1; j++) {
        const v = x[i++] as number;
        params.s0[j] = v;
        tot += v;
      }
      params.s0[m - 1] = spec.season === 'M' ? m - tot : -tot;
    }
    return params;
  };
  const objective = (x: Float64Array): number => {
    const p = decode(x);
    if (spec.season === 'M' && !(p.s0[m - 1]! > 0)) return Infinity;
    return etsLikelihood(y, mm, spec, p, buf);
  };
  const res = nelderMead(objective, x0, {
    lower: lo,
    upper: hi,
    step,
    maxEval: opts.maxEval ?? 30 * x0.length + 50,
    tol: 1e-6,
  });
  if (!(res.f < 1e299)) return null;
  const best = decode(res.x);
  const finalParams: EtsParams = { ...best, s0: Float64Array.from(best.s0) };
  const state: EtsState = { l: 0, b: 0, s: new Float64Array(mm), t: 0 };
  const errors = new Float64Array(n);
  const lik = etsLikelihood(y, mm, spec, finalParams, buf, { state, errors });
  let sse = 0;
  for (let t = 0; t < n; t++) sse += (errors[t] as number) ** 2;
  const k = np + 1;
  const sigma2 = sse / Math.max(1, n - np);
  const aicc = lik + 2 * k + (n - k - 1 > 0 ? (2 * k * (k + 1)) / (n - k - 1) : Infinity);
  return { spec, m: mm, params: finalParams, state, sigma2, lik, k, aicc, n };
}
