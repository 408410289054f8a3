import { Type } from 'typebox';
import type { TUnsafe } from 'typebox';

const EXAMPLE_TIME = '2026-11-25T09:30:00.000Z';

/** An RFC 3339 UTC timestamp field. */
export function Timestamp(description: string) {
  return Type.String({ format: 'date-time', description, examples: [EXAMPLE_TIME] });
}

/**
 * A nullable RFC 3339 timestamp, written as `type: ['string', 'null']` rather than `anyOf`: the
 * response serialiser handles that form directly, while `anyOf` makes it validate every value.
 */
export function NullableTimestamp(description: string): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description, examples: [EXAMPLE_TIME] });
}

/** A nullable text field. */
export function NullableString(description: string, extra: Record<string, unknown> = {}): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], description, ...extra });
}
