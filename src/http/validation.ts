import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../errors/app-error.ts';

function makeAjv(coerceTypes: boolean | 'array'): Ajv {
  // removeAdditional stays off: unknown fields are rejected, never silently dropped.
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

const bodyAjv = makeAjv(false);
// Query strings and path parameters are text on the wire; coerce them to the declared types.
const parameterAjv = makeAjv('array');

/** Bodies are validated strictly (a string is not a number); query, params and headers are coerced. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : parameterAjv;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};

/** Turns Ajv errors into `{field, message}` pairs naming the offending field by its path. */
export function fieldErrors(errors: ErrorObject[], part: string): FieldError[] {
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors) {
    const path = error.instancePath.split('/').filter(Boolean).join('.');
    let field = path || part;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      field = path ? `${path}.${name}` : name;
      message = 'is not a known field';
    } else if (error.keyword === 'required') {
      const name = String((error.params as { missingProperty: string }).missingProperty);
      field = path ? `${path}.${name}` : name;
      message = 'is required';
    } else if (error.keyword === 'pattern') {
      // Ajv's message quotes the regular expression, which tells a reader nothing.
      message = 'is not in the expected format';
    } else if (error.keyword === 'enum') {
      message = `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    // anyOf/oneOf wrappers add noise after the branch errors that explain them
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const key = `${field}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ field, message });
  }
  return result.length > 0 ? result : [{ field: part, message: 'is invalid' }];
}
