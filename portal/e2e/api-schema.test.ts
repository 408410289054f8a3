import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateApiSchema, SCHEMA_FILE } from '../scripts/api-schema.ts';

describe("the portal's typed API client", () => {
  it('is generated from the current OpenAPI document (run `npm run portal:api` when this fails)', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    assert.ok(committed === (await generateApiSchema()), 'portal/src/api/schema.gen.ts is stale: npm run portal:api');
  });
});
