import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const USE_CASES = join(import.meta.dirname, 'use-cases');

describe('webhooks layering', () => {
  it('use cases run no SQL of their own: they reach storage through the injected repositories', () => {
    const offenders = readdirSync(USE_CASES)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .filter((name) =>
        /\.(selectFrom|insertInto|updateTable|deleteFrom)\(/.test(readFileSync(join(USE_CASES, name), 'utf8')),
      );
    assert.deepEqual(offenders, []);
  });
});
