import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser, createTenant } from '../testing/factories.ts';
import { fuzzConcurrently } from '../testing/fuzz.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';

interface Operation {
  method: string;
  path: string;
  fields: string[];
  queryFields: string[];
  /** Answers with an endless event stream: the case reads the status, then hangs up. */
  streams: boolean;
}

// 1,200 cases of which 7 in 8 carry a valid credential: more reach the handlers than 1,500 with 1 in 3 invalid did.
const RUNS = Number(process.env.FUZZ_RUNS ?? 1200);

const pathValue = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'SB-1001',
    '1001',
    '0',
    '-1',
    '..',
    '%00',
    '%2F',
    'null',
    'undefined',
    '9'.repeat(30),
    'SB-',
    '\u0000',
    'ä',
  ),
  fc.integer().map(String),
);
const scalar = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', 'open', 'critical', 'public', 'internal', '2026-01-01T00:00:00Z', 'SB-1001'),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }),
);

/** Every documented operation with its body and query field names, read from the OpenAPI document. */
async function operations(server: TestServer): Promise<Operation[]> {
  const spec = await request<{
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content?: Record<string, { schema?: { properties?: object } }> };
          parameters?: Array<{ in: string; name: string }>;
          responses?: Record<string, { content?: Record<string, unknown> }>;
        }
      >
    >;
  }>(server.baseUrl, 'GET', '/v1/openapi.json');
  const result: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.body.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      result.push({
        method: method.toUpperCase(),
        path,
        fields: Object.keys(schema?.properties ?? {}),
        queryFields: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        streams: Object.values(operation.responses ?? {}).some((r) => 'text/event-stream' in (r.content ?? {})),
      });
    }
  }
  return result;
}

// A bad credential is answered before any input is read: a few cases cover it.
const credential = fc.oneof(
  { weight: 7, arbitrary: fc.integer({ min: 0, max: 1 }) },
  { weight: 1, arbitrary: fc.constant(2) },
);

const requestCase = fc.record({
  opIndex: fc.integer({ min: 0, max: 10_000 }),
  tokenIndex: credential,
  params: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
  bodySeed: fc.oneof(
    fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 5 }),
    fc
      .array(fc.tuple(fc.nat(), value), { maxLength: 6 })
      .map((pairs) => Object.fromEntries(pairs.map(([i, v]) => [`__field${i % 8}`, v]))),
    fc.jsonValue(),
    fc.string({ maxLength: 60 }).map((raw) => ({ __raw: raw })),
  ),
  querySeed: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
});

for (const dialect of TEST_DIALECTS) {
  describe(`fuzzing every route on ${dialect}`, () => {
    let server: TestServer;
    let ops: Operation[];
    let tokens: string[];
    before(async () => {
      server = await startTestServer(dialect);
      const tenant = await createTenant(server);
      const staff = await createStaffUser(server, 'platform_admin');
      tokens = [tenant.apiKey, staff.token, 'sb_live_invalid'];
      ops = (await operations(server)).filter((op) => op.path !== '/v1/auth/logout');
      assert.ok(ops.length >= 10, `only ${ops.length} operations documented`);
    });
    after(async () => server.close());

    it(`never answers 5xx to ${RUNS} random requests`, async () => {
      const failures = await fuzzConcurrently(
        requestCase,
        RUNS,
        async ({ opIndex, tokenIndex, params, bodySeed, querySeed }) => {
          const op = ops[opIndex % ops.length] as Operation;
          let n = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[n++ % params.length] ?? 'x'));
          const query = new URLSearchParams();
          for (const [k, v] of Object.entries(querySeed))
            query.append(
              op.queryFields.length > 0 && k.length % 2 === 0
                ? (op.queryFields[k.length % op.queryFields.length] as string)
                : k,
              v,
            );
          let body: unknown = bodySeed;
          let rawBody: string | undefined;
          if (bodySeed && typeof bodySeed === 'object' && '__raw' in bodySeed)
            rawBody = String((bodySeed as { __raw: string }).__raw);
          else if (bodySeed && typeof bodySeed === 'object' && !Array.isArray(bodySeed) && op.fields.length > 0) {
            body = Object.fromEntries(
              Object.entries(bodySeed).map(([k, v]) => [
                k.startsWith('__field') ? (op.fields[Number(k.slice(7)) % op.fields.length] as string) : k,
                v,
              ]),
            );
          }
          const sendsBody = op.method !== 'GET' && op.method !== 'DELETE';
          const url = `${path}${query.size > 0 ? `?${query}` : ''}`;
          if (op.streams) {
            const token = tokens[tokenIndex];
            const opened = await fetch(
              server.baseUrl + url,
              token ? { headers: { authorization: `Bearer ${token}` } } : {},
            );
            await opened.body?.cancel();
            return opened.status >= 500 ? `${op.method} ${url} → ${opened.status}` : null;
          }
          const response = await request(server.baseUrl, op.method, url, {
            token: tokens[tokenIndex],
            ...(sendsBody ? (rawBody !== undefined ? { rawBody } : { body }) : {}),
          });
          return response.status >= 500
            ? `${op.method} ${url} ${rawBody ?? JSON.stringify(body)} → ${response.status}`
            : null;
        },
      );
      assert.deepEqual(failures, []);
    });
  });
}
