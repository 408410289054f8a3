import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldErrors, validatorCompiler } from './validation.ts';

describe('fieldErrors', () => {
  it('words a pattern mismatch for people, without the regular expression', () => {
    const validate = validatorCompiler({
      schema: { type: 'object', properties: { code: { type: 'string', pattern: '^[A-Z]{3}$' } } },
      httpPart: 'body',
      method: 'POST',
      url: '/x',
    }) as unknown as {
      (value: unknown): boolean;
      errors: Parameters<typeof fieldErrors>[0];
    };
    assert.equal(validate({ code: 'abc' }), false);
    assert.deepEqual(fieldErrors(validate.errors, 'body'), [
      { field: 'code', message: 'is not in the expected format' },
    ]);
  });
});
