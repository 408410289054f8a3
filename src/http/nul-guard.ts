import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { FieldError } from '../errors/app-error.ts';

const NUL = '\u0000';
const MESSAGE = 'must not contain NUL characters';
// Enough to name the problem; a body full of NULs does not need thousands of entries.
const MAX_REPORTED = 20;

/**
 * Field paths (dotted like validation errors: `tags.1`, `headers.x-api`) of every string in
 * `value`, at any depth, whose text or object key holds NUL. Walks with an explicit stack: a parsed
 * JSON body may nest deeper than the call stack.
 */
export function nulFields(value: unknown, root: string | null): string[] {
  const found: string[] = [];
  const stack: Array<{ value: unknown; path: string | null }> = [{ value, path: root }];
  while (stack.length > 0 && found.length < MAX_REPORTED) {
    const { value: current, path } = stack.pop() as { value: unknown; path: string | null };
    const join = (name: string) => (path ? `${path}.${name}` : name);
    if (typeof current === 'string') {
      if (current.includes(NUL)) found.push(path ?? 'body');
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: join(String(i)) });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, child] = entries[i] as [string, unknown];
        // A key holding NUL is reported in its place, like a string value holding one.
        if (name.includes(NUL)) stack.push({ value: NUL, path: join(name.replaceAll(NUL, '\\u0000')) });
        else stack.push({ value: child, path: join(name) });
      }
    }
  }
  return found;
}

/** Every input of a request that holds NUL: path parameters, query values, headers and body strings. */
function nulInputs(request: FastifyRequest): string[] {
  return [
    ...nulFields(request.params, null),
    ...nulFields(request.query, null),
    ...nulFields(request.headers, null),
    ...nulFields(request.body, null),
  ].slice(0, MAX_REPORTED);
}

/**
 * Refuses NUL (U+0000) in every text input before validation, for every route: PostgreSQL text
 * cannot hold it (a query with one fails), and SQLite would store it, so both dialects answer the
 * same 400 naming the field instead of a 500 on one and silent storage on the other.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const fields = nulInputs(request);
    if (fields.length === 0) return;
    const errors: FieldError[] = fields.map((field) => ({ field, message: MESSAGE }));
    throw new AppError('validation_failed', `${fields[0]} ${MESSAGE}`, { errors });
  });
}
