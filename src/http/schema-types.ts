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
  return Type.Unsafe<string | null>({
    type: ['string', 'null'],
    format: 'date-time',
    description,
    examples: [EXAMPLE_TIME],
  });
}

/** A nullable number field (`integer` or `number`). */
export function NullableNumber(type: 'integer' | 'number', description: string): TUnsafe<number | null> {
  return Type.Unsafe<number | null>({ type: [type, 'null'], description });
}

/** A nullable text field. */
export function NullableString(description: string, extra: Record<string, unknown> = {}): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], description, ...extra });
}

/** The same schema with a description, for a shared object reused as a field. */
export function Described<T extends object>(schema: T, description: string): T {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(schema)) as T & { description: string };
  copy.description = description;
  return copy;
}
