// The page's controls live in the URL query string, so a view can be linked and survives reloads.

export const PERIODS = [3, 6, 12, 24] as const;
export type Period = (typeof PERIODS)[number];

/** The API's named confidence levels and the interval each stands for (percent). */
export const LEVELS = { low: 65, medium: 80, high: 95 } as const;
export type Level = keyof typeof LEVELS;

export interface Controls {
  months: Period;
  level: Level;
}

export const DEFAULT_CONTROLS: Controls = { months: 6, level: 'medium' };

/** Reads `?months=&level=`; anything unknown falls back to the default rather than failing. */
export function controlsFrom(params: URLSearchParams): Controls {
  const months = Number(params.get('months'));
  const level = params.get('level');
  return {
    months: (PERIODS as readonly number[]).includes(months) ? (months as Period) : DEFAULT_CONTROLS.months,
    level: level !== null && level in LEVELS ? (level as Level) : DEFAULT_CONTROLS.level,
  };
}

/** The query string for the controls, keeping any other parameters. */
export function withControls(params: URLSearchParams, controls: Controls): URLSearchParams {
  const next = new URLSearchParams(params);
  next.set('months', String(controls.months));
  next.set('level', controls.level);
  return next;
}

/** The legend's name of the band: "80 % interval". */
export function intervalLabel(percent: number): string {
  return `${percent} % interval`;
}

/** The export endpoint for the current controls; a plain GET, so a link downloads it with the session cookie. */
export function exportUrl(format: 'csv' | 'json' | 'pdf', controls: Controls): string {
  const query = new URLSearchParams({
    format,
    months: String(controls.months),
    confidence_level: controls.level,
  });
  return `/v1/cost/forecast/export?${query.toString()}`;
}
