/**
 * An exact running sum of decimal cells that avoids big.js for the common cell. A plain decimal
 * with at most {@link INT_DIGITS} integer and {@link FRACTION_DIGITS} fraction digits (what billing
 * exports write: `0.0960000000`, `-1.25`) is added as two integers held in doubles, whole units and
 * 10⁻¹² units, both far inside the range where doubles add integers exactly; the fraction carries
 * into the units past one unit. Anything else (scientific notation, more digits) goes to a big.js
 * remainder. The value is always exactly units + fraction·10⁻¹² + remainder.
 */
import Big from 'big.js';
import { parseDecimal, ZERO } from '../money.ts';
import type { Decimal } from '../money.ts';

const INT_DIGITS = 9;
const FRACTION_DIGITS = 12;
const FRACTION_SCALE = 1e12;
const ZERO_CODE = 48;
const NINE_CODE = 57;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
// 10^k for padding a short fraction to 12 digits.
const PAD = Array.from({ length: FRACTION_DIGITS + 1 }, (_, k) => 10 ** k);

export class ExactSum {
  private units = 0;
  private fraction = 0;
  private remainder: Decimal = ZERO;

  /**
   * Adds a decimal cell; false (nothing added) when the text is not a decimal. Accepts what
   * `parseDecimal` accepts.
   */
  addText(text: string): boolean {
    if (this.addPlain(text)) return true;
    const parsed = parseDecimal(text);
    if (parsed === null) return false;
    this.remainder = this.remainder.plus(parsed);
    return true;
  }

  /** The plain-decimal path: true when it handled the text. */
  private addPlain(text: string): boolean {
    const length = text.length;
    let i = 0;
    let sign = 1;
    const first = text.charCodeAt(0);
    if (first === MINUS || first === PLUS) {
      sign = first === MINUS ? -1 : 1;
      i = 1;
    }
    let units = 0;
    const intStart = i;
    for (; i < length; i += 1) {
      const code = text.charCodeAt(i);
      if (code < ZERO_CODE || code > NINE_CODE) break;
      units = units * 10 + (code - ZERO_CODE);
    }
    const intDigits = i - intStart;
    if (intDigits > INT_DIGITS) return false;
    let fraction = 0;
    let fractionDigits = 0;
    if (i < length) {
      if (text.charCodeAt(i) !== DOT) return false;
      i += 1;
      const fractionStart = i;
      for (; i < length; i += 1) {
        const code = text.charCodeAt(i);
        if (code < ZERO_CODE || code > NINE_CODE) return false;
        fraction = fraction * 10 + (code - ZERO_CODE);
      }
      fractionDigits = i - fractionStart;
      if (fractionDigits > FRACTION_DIGITS) return false;
    }
    // `-`, `.`, `-.` and `` are not numbers; `1.` and `.5` are (as parseDecimal has it).
    if (intDigits === 0 && fractionDigits === 0) return false;
    this.units += sign * units;
    this.fraction += sign * fraction * PAD[FRACTION_DIGITS - fractionDigits]!;
    if (this.fraction >= FRACTION_SCALE || this.fraction <= -FRACTION_SCALE) {
      const carry = Math.trunc(this.fraction / FRACTION_SCALE);
      this.units += carry;
      this.fraction -= carry * FRACTION_SCALE;
    }
    return true;
  }

  /** Adds another sum. */
  addSum(other: ExactSum): void {
    this.remainder = this.remainder.plus(other.value());
  }

  /** The exact value. */
  value(): Decimal {
    return new Big(this.units).plus(new Big(this.fraction).div(FRACTION_SCALE)).plus(this.remainder);
  }
}
