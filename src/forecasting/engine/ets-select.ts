/**
 * Automatic ETS: fit every admissible model form and keep the lowest AICc,
 * following R's `ets` defaults (no multiplicative trend, no additive error
 * with multiplicative season, no multiplicative parts on non-positive data).
 */
import type { EtsSpec, TrendType, SeasonType, ErrorType } from './ets-model.ts';
import { fitEts, type EtsFit, type EtsFitOptions } from './ets-fit.ts';
import { allPositive, isConstant } from './series.ts';

/** Restricts the candidate set (e.g. only damped trends). */
export interface EtsSearch extends EtsFitOptions {
  errors?: ErrorType[];
  trends?: TrendType[];
  seasons?: SeasonType[];
  /** Re-fit the leading seasonal models with optimised seasonal states (default false: slower, no gain on the development data). */
  refine?: boolean;
}

/**
 * Second stage of the fit: the AICc-best seasonal model and the best damped
 * model are re-fitted with their seasonal initial states optimised too,
 * starting from the first-stage solution. Optimising all m states for all
 * fifteen forms is ~10× slower for little gain; doing it for the two forms
 * that matter gets most of the benefit.
 */
function refineSeasonal(y: ArrayLike<number>, m: number, fits: EtsFit[], search: EtsSearch): void {
  const pick = (pred: (f: EtsFit) => boolean): number => {
    let bi = -1;
    fits.forEach((f, i) => {
      if (pred(f) && (bi < 0 || f.aicc < (fits[bi] as EtsFit).aicc)) bi = i;
    });
    return bi;
  };
  const targets = new Set([pick(() => true), pick((f) => f.spec.trend === 'Ad')]);
  for (const i of targets) {
    const f = fits[i];
    if (!f || f.spec.season === 'N') continue;
    const r = fitEts(y, m, f.spec, { ...search, optimiseSeason: true, start: f.params });
    if (r && r.lik < f.lik) fits[i] = r;
  }
}

/** The model forms `autoEts` will try for this data, admissibility rules applied. */
export function candidateSpecs(y: ArrayLike<number>, m: number, search: EtsSearch = {}): EtsSpec[] {
  const positive = allPositive(y);
  // As in R's ets: seasonal forms need two full cycles and a period of at most 24
  // (daily data use the weekly period 7; yearly cycles are handled on monthly totals).
  const seasonalOk = m > 1 && m <= 24 && y.length >= 2 * m + 2;
  const errors = (search.errors ?? ['A', 'M']).filter((e) => e === 'A' || positive);
  const trends = search.trends ?? ['N', 'A', 'Ad'];
  const seasons = (search.seasons ?? ['N', 'A', 'M']).filter(
    (s) => s === 'N' || (seasonalOk && (s === 'A' || positive)),
  );
  const specs: EtsSpec[] = [];
  for (const error of errors)
    for (const trend of trends)
      for (const season of seasons) {
        if (error === 'A' && season === 'M') continue; // infinite-variance forms, excluded as in R
        specs.push({ error, trend, season });
      }
  return specs;
}

/** All fitted candidates plus the AICc winner. */
export interface AutoEtsResult {
  best: EtsFit;
  fits: EtsFit[];
}

/**
 * Fits all candidate forms and returns them with the AICc-best. Null only
 * when nothing can be fitted (fewer than ~4 points or constant data).
 */
export function autoEts(y: ArrayLike<number>, m: number, search: EtsSearch = {}): AutoEtsResult | null {
  if (y.length < 4 || isConstant(y)) return null;
  const fits: EtsFit[] = [];
  for (const spec of candidateSpecs(y, m, search)) {
    const fit = fitEts(y, m, spec, search);
    if (fit && Number.isFinite(fit.aicc)) fits.push(fit);
  }
  if (fits.length === 0) return null;
  if (search.refine === true) refineSeasonal(y, m, fits, search);
  let best = fits[0] as EtsFit;
  for (const f of fits) if (f.aicc < best.aicc) best = f;
  return { best, fits };
}

/** The AICc-best among fits matching a predicate (e.g. damped trend), or null. */
export function bestWhere(fits: EtsFit[], pred: (s: EtsSpec) => boolean): EtsFit | null {
  let best: EtsFit | null = null;
  for (const f of fits) if (pred(f.spec) && (!best || f.aicc < best.aicc)) best = f;
  return best;
}
