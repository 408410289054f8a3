/**
 * Bounded Nelder–Mead simplex minimiser. The ETS likelihood is cheap but not
 * smooth at the bounds, so a derivative-free method with box projection is
 * the robust choice (R's `ets` uses Nelder–Mead too).
 */

/** Options of {@link nelderMead}; defaults suit 2–20 parameters. */
export interface NelderMeadOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  /** Initial step per coordinate (default 10 % of the box width). */
  step?: ArrayLike<number>;
  maxEval?: number;
  /** Stop when the simplex's f-range is below tol·(|f|+tol). */
  tol?: number;
}

/** Result: best point, its value and the number of evaluations used. */
export interface NelderMeadResult {
  x: Float64Array;
  f: number;
  evals: number;
}

/**
 * Minimises `fn` inside the box [lower, upper] starting at `x0`. Points are
 * clamped into the box before evaluation, which keeps the simplex feasible
 * without penalty terms. Deterministic.
 */
export function nelderMead(
  fn: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  opts: NelderMeadOptions,
): NelderMeadResult {
  const d = x0.length;
  const { lower, upper } = opts;
  const maxEval = opts.maxEval ?? 200 * d;
  const tol = opts.tol ?? 1e-7;
  const clamp = (x: Float64Array): Float64Array => {
    for (let j = 0; j < d; j++) {
      const lo = lower[j] as number;
      const hi = upper[j] as number;
      const v = x[j] as number;
      x[j] = v < lo ? lo : v > hi ? hi : v;
    }
    return x;
  };
  let evals = 0;
  const f = (x: Float64Array): number => {
    evals++;
    const v = fn(x);
    return Number.isFinite(v) ? v : 1e300;
  };
  const pts: Float64Array[] = [];
  const vals: number[] = [];
  const start = clamp(Float64Array.from(x0 as ArrayLike<number>));
  pts.push(start);
  vals.push(f(start));
  for (let j = 0; j < d; j++) {
    const p = Float64Array.from(start);
    const width = (upper[j] as number) - (lower[j] as number);
    let step = opts.step ? (opts.step[j] as number) : 0.1 * width;
    if (!(step > 0)) step = 0.1;
    // Step towards the side with more room so the vertex is distinct after clamping.
    const room = (upper[j] as number) - (p[j] as number);
    p[j] = (p[j] as number) + (room >= step ? step : -step);
    clamp(p);
    pts.push(p);
    vals.push(f(p));
  }
  const order = new Array<number>(d + 1);
  const centroid = new Float64Array(d);
  const xr = new Float64Array(d);
  const xe = new Float64Array(d);
  const xc = new Float64Array(d);
  for (;;) {
    for (let i = 0; i <= d; i++) order[i] = i;
    order.sort((a, b) => (vals[a] as number) - (vals[b] as number));
    const best = order[0] as number;
    const worst = order[d] as number;
    const second = order[d - 1] as number;
    const fb = vals[best] as number;
    const fw = vals[worst] as number;
    if (evals >= maxEval || Math.abs(fw - fb) <= tol * (Math.abs(fb) + tol)) break;
    centroid.fill(0);
    for (let i = 0; i <= d; i++) {
      if (i === worst) continue;
      const p = pts[i] as Float64Array;
      for (let j = 0; j < d; j++) centroid[j] = (centroid[j] as number) + (p[j] as number) / d;
    }
    const pw = pts[worst] as Float64Array;
    for (let j = 0; j < d; j++) xr[j] = 2 * (centroid[j] as number) - (pw[j] as number);
    clamp(xr);
    const fr = f(xr);
    if (fr < fb) {
      for (let j = 0; j < d; j++) xe[j] = 3 * (centroid[j] as number) - 2 * (pw[j] as number);
      clamp(xe);
      const fe = f(xe);
      if (fe < fr) {
        pw.set(xe);
        vals[worst] = fe;
      } else {
        pw.set(xr);
        vals[worst] = fr;
      }
      continue;
    }
    if (fr < (vals[second] as number)) {
      pw.set(xr);
      vals[worst] = fr;
      continue;
    }
    // Contraction (outside if the reflection improved on the worst, else inside).
    const outside = fr < fw;
    for (let j = 0; j < d; j++) {
      const c = centroid[j] as number;
      xc[j] = outside ? c + 0.5 * ((xr[j] as number) - c) : c + 0.5 * ((pw[j] as number) - c);
    }
    clamp(xc);
    const fc = f(xc);
    if (fc < (outside ? fr : fw)) {
      pw.set(xc);
      vals[worst] = fc;
      continue;
    }
    // Shrink towards the best vertex.
    const pb = pts[best] as Float64Array;
    for (let i = 0; i <= d; i++) {
      if (i === best) continue;
      const p = pts[i] as Float64Array;
      for (let j = 0; j < d; j++) p[j] = (pb[j] as number) + 0.5 * ((p[j] as number) - (pb[j] as number));
      vals[i] = f(p);
    }
  }
  let bi = 0;
  for (let i = 1; i <= d; i++) if ((vals[i] as number) < (vals[bi] as number)) bi = i;
  return { x: Float64Array.from(pts[bi] as Float64Array), f: vals[bi] as number, evals };
}
