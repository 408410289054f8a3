import { invalidField } from '../../errors/app-error.ts';
import type { ForecastParams } from './compute.ts';

/** The seed's named confidence levels, as the interval levels they mean (percent). */
export const CONFIDENCE_LEVELS = { low: 65, medium: 80, high: 95 } as const;
export type ConfidenceLevel = keyof typeof CONFIDENCE_LEVELS;

/** Months forecast when the request names none. */
export const DEFAULT_MONTHS = 6;

/** The forecast's query parameters as the schema has typed them. */
export interface ForecastQuery {
  months?: number | undefined;
  confidence_level?: ConfidenceLevel | undefined;
  level?: number | undefined;
  by?: 'service' | undefined;
}

/**
 * Resolves the query into parameters. `level` and `confidence_level` say the same thing two ways;
 * both at once is refused (400 naming `level`) rather than letting one silently win. Default: medium.
 */
export function forecastParams(query: ForecastQuery): ForecastParams {
  if (query.level !== undefined && query.confidence_level !== undefined)
    throw invalidField('level', 'cannot be given together with confidence_level; use one of them');
  return {
    months: query.months ?? DEFAULT_MONTHS,
    level: query.level ?? CONFIDENCE_LEVELS[query.confidence_level ?? 'medium'],
    byService: query.by === 'service',
  };
}

/** The canonical cache key of the parameters, e.g. `months=6;level=80;by=total`. */
export function paramsKey(params: ForecastParams): string {
  return `months=${params.months};level=${params.level};by=${params.byService ? 'service' : 'total'}`;
}
