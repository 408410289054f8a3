import Big from 'big.js';

/**
 * Exact money. Amounts arrive as decimal text (CSV cells, JSON numbers rendered back to their
 * shortest text) and are summed with big.js; a stored amount is an integer count of micro-units
 * (10⁻⁶ of the currency), rounded half-even once per stored value, so SQL sums are exact and
 * safe as JavaScript numbers up to ±9 billion currency units per sum.
 */

export type Decimal = Big;

export const MICROS_PER_UNIT = 1_000_000;
/** |amount| accepted in one value: beyond this a sum could leave the exact integer range. */
const MAX_ABS_UNITS = new Big('1e9');

const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export const ZERO: Decimal = new Big(0);

/**
 * Parses a decimal amount: plain (`12.5`, `-0.25`) or scientific (`1.81E-8`), or a finite JSON
 * number. Returns null for anything else (empty, `NaN`, `1,5`, text): the caller names the field.
 */
export function parseDecimal(value: string | number): Decimal | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Big(String(value)) : null;
  const text = value.trim();
  if (!DECIMAL_TEXT.test(text)) return null;
  // big.js refuses a leading plus sign, which the pattern (and exports) allow.
  const parsed = new Big(text.startsWith('+') ? text.slice(1) : text);
  return parsed.abs().gt(MAX_ABS_UNITS) ? null : parsed;
}

/** A decimal as integer micro-units, rounded half-even. */
export function toMicros(amount: Decimal): number {
  return Number(amount.times(MICROS_PER_UNIT).round(0, Big.roundHalfEven).toFixed(0));
}

/** Integer micro-units as exact decimal text with six places, e.g. `1.000000`. */
export function formatMicros(micros: number): string {
  return new Big(micros).div(MICROS_PER_UNIT).toFixed(6);
}

/** Integer micro-units as a JSON number (the nearest double to the exact decimal). */
export function microsToNumber(micros: number): number {
  return micros / MICROS_PER_UNIT;
}

/** A currency amount (a float from the engine, or units) as integer micro-units. */
export function unitsToMicros(units: number): number {
  return Math.round(units * MICROS_PER_UNIT);
}
