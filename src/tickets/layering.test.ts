import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const FEATURE = import.meta.dirname;
// The HTTP edge of the feature; everything else (use cases, repository, jobs) is domain code.
const HTTP_EDGE = new Set([
  'routes.ts',
  'schemas.ts',
  'desk/routes.ts',
  'desk/schemas.ts',
  'sla-routes.ts',
  'sla-schemas.ts',
  'attachments/routes.ts',
  'attachments/schemas.ts',
]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('tickets layering', () => {
  it('only the routes and schemas files import the HTTP layer', () => {
    const offenders = sources(FEATURE)
      .filter((path) => !HTTP_EDGE.has(relative(FEATURE, path)))
      .filter((path) => /from '(\.\.\/)+http\//.test(readFileSync(path, 'utf8')));
    assert.deepEqual(
      offenders.map((path) => relative(FEATURE, path)),
      [],
    );
  });

  it('use cases run no SQL of their own: they reach storage through the injected repository', () => {
    const offenders = sources(join(FEATURE, 'use-cases')).filter((path) =>
      /\.(selectFrom|insertInto|updateTable|deleteFrom)\(/.test(readFileSync(path, 'utf8')),
    );
    assert.deepEqual(
      offenders.map((path) => relative(FEATURE, path)),
      [],
    );
  });
});
