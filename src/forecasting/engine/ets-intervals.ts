/**
 * ETS forecast distributions: analytic variances for the linear (class 1)
 * models, seeded simulation for the rest. Used when ETS alone is requested
 * and as the variance shape for calibrated intervals.
 */
import { etsPointForecast, trendSum } from './ets-model.ts';
import type { EtsFit } from './ets-fit.ts';
import { normalSampler, quantileSelect, seededRandom, zForLevel } from './stats.ts';

/** Lower/upper bounds of one central interval. */
export interface Band {
  level: number;
  lower: number[];
  upper: number[];
}

/** True for additive-error models with no multiplicative parts (exact Gaussian forecasts). */
export function isLinear(fit: EtsFit): boolean {
  return fit.spec.error === 'A' && fit.spec.season !== 'M';
}

/** Analytic h-step variances of a class-1 model (Hyndman et al. 2008, table 6.1). */
export function linearVariances(fit: EtsFit, H: number): Float64Array {
  const { alpha, beta, gamma, phi } = fit.params;
  const m = fit.m;
  const v = new Float64Array(H);
  let acc = 1;
  for (let h = 1; h <= H; h++) {
    v[h - 1] = fit.sigma2 * acc;
    const j = h;
    let c = alpha;
    if (fit.spec.trend === 'A') c += beta * j;
    else if (fit.spec.trend === 'Ad') c += (beta * trendSum('Ad', phi, j)) / 1;
    if (fit.spec.season !== 'N' && j % m === 0) c += gamma;
    acc += c * c;
  }
  return v;
}

/** Point forecasts of a fitted model for h = 1..H. */
export function etsForecastMean(fit: EtsFit, H: number): Float64Array {
  return etsPointForecast(fit.spec, fit.params.phi, fit.state, fit.m, H);
}

/**
 * Simulated sample paths (seeded) from the fitted model: `paths[i*H + h]`.
 * Multiplicative-error draws are clamped so a path cannot cross zero.
 */
export function simulatePaths(fit: EtsFit, H: number, nPaths: number, seed: number): Float64Array {
  const rnd = normalSampler(seededRandom(seed));
  const out = new Float64Array(nPaths * H);
  const m = fit.m;
  const { alpha, beta, gamma } = fit.params;
  const phi = fit.spec.trend === 'Ad' ? fit.params.phi : 1;
  const hasTrend = fit.spec.trend !== 'N';
  const sigma = Math.sqrt(fit.sigma2);
  const s = new Float64Array(m);
  for (let i = 0; i < nPaths; i++) {
    let l = fit.state.l;
    let b = fit.state.b;
    s.set(fit.state.s);
    for (let h = 0; h < H; h++) {
      const idx = (fit.state.t + h) % m;
      const phib = hasTrend ? phi * b : 0;
      const q = l + phib;
      const si = s[idx] as number;
      const f = fit.spec.season === 'N' ? q : fit.spec.season === 'A' ? q + si : q * si;
      const z = rnd() * sigma;
      const y = fit.spec.error === 'A' ? f + z : f * Math.max(1 + z, 1e-6);
      out[i * H + h] = y;
      const pl = fit.spec.season === 'N' ? y : fit.spec.season === 'A' ? y - si : y / si;
      const ln = q + alpha * (pl - q);
      if (hasTrend) b = phib + (beta / alpha) * (ln - l - phib);
      if (fit.spec.season === 'A') s[idx] = si + gamma * (y - q - si);
      else if (fit.spec.season === 'M') s[idx] = si + gamma * (y / q - si);
      l = ln;
    }
  }
  return out;
}

/** Central prediction intervals of an ETS model at the given levels (0–1). */
export function etsIntervals(fit: EtsFit, mean: ArrayLike<number>, H: number, levels: number[], seed = 42): Band[] {
  if (isLinear(fit)) {
    const v = linearVariances(fit, H);
    return levels.map((level) => {
      const z = zForLevel(level);
      const lower: number[] = [];
      const upper: number[] = [];
      for (let h = 0; h < H; h++) {
        const sd = Math.sqrt(v[h] as number);
        lower.push((mean[h] as number) - z * sd);
        upper.push((mean[h] as number) + z * sd);
      }
      return { level, lower, upper };
    });
  }
  const nPaths = 1000;
  const paths = simulatePaths(fit, H, nPaths, seed);
  const bands = levels.map((level) => ({ level, lower: [] as number[], upper: [] as number[] }));
  const col = new Float64Array(nPaths);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < nPaths; i++) col[i] = paths[i * H + h] as number;
    for (const band of bands) {
      band.lower.push(quantileSelect(col, 0.5 - band.level / 2));
      band.upper.push(quantileSelect(col, 0.5 + band.level / 2));
    }
  }
  return bands;
}
