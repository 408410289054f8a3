import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { TEST_DIALECTS } from '../testing/database.ts';
import { fuzzConcurrently } from '../testing/fuzz.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket } from './test-helpers.ts';

const RUNS = Number(process.env.TICKET_FUZZ_RUNS ?? 400);
const FIELDS = [
  'subject',
  'description',
  'priority',
  'category',
  'tags',
  'customer_id',
  'status',
  'assignee_id',
  'body',
  'text',
  'visibility',
];
const QUERY = [
  'status',
  'priority',
  'category',
  'assignee',
  'customer_id',
  'created_after',
  'created_before',
  'sort',
  'limit',
  'cursor',
  'q',
];

const scalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    'open',
    'in-progress',
    'waiting-customer',
    'resolved',
    'closed',
    'critical',
    'low',
    'internal',
    'public',
    'me',
    'none',
    '-priority',
    'priority',
    'x'.repeat(30),
    '2026-02-30T00:00:00Z',
    '2026-01-01T00:00:00Z',
  ),
  fc.uuid(),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));
// Cursors that decode but carry values of the wrong type or a foreign sort name.
const forgedCursor = fc
  .tuple(
    fc.constantFrom('priority', '-priority', 'created_at', '-updated_at'),
    fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double()),
    fc.string({ maxLength: 36 }),
  )
  .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url'));

for (const dialect of TEST_DIALECTS) {
  describe(`ticket route fuzz on ${dialect}`, () => {
    let server: TestServer;
    let tokens: string[];
    let refs: string[];
    before(async () => {
      server = await startTestServer(dialect);
      const tenant = await createTenant(server);
      const member = await createCustomerUser(server, tenant.customerId, 'member');
      const agent = await createStaffUser(server, 'agent');
      const ticket = await openTicket(server, tenant.apiKey);
      const second = await openTicket(server, member.token);
      tokens = [tenant.apiKey, member.token, agent.token];
      refs = [ticket.id, ticket.reference, String(second.number), second.id];
    });
    after(async () => {
      await server.close();
    });

    it(`answers ${RUNS} random requests on real tickets without a 5xx`, async () => {
      const requestCase = fc.tuple(
        fc.constantFrom('create', 'list', 'get', 'patch', 'put', 'comment', 'comments', 'history'),
        fc.nat(),
        fc.nat(),
        fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 4 }),
        fc.array(
          fc.tuple(
            fc.constantFrom(...QUERY),
            fc.oneof(
              fc.string({ maxLength: 30 }),
              forgedCursor,
              fc.constantFrom('open,closed', 'me', '-priority', '100', '0', 'relevance'),
              // Search input that would be syntax to FTS5 or tsquery if passed through raw.
              fc
                .tuple(
                  fc.array(
                    fc.constantFrom('"', '*', 'NEAR', '(', ')', ':', '^', '-', 'OR', '&', '|', '!', '<->', 'sso', 'x'),
                    { maxLength: 8 },
                  ),
                  fc.constantFrom('', ' '),
                )
                .map(([parts, separator]) => parts.join(separator)),
            ),
          ),
          { maxLength: 4 },
        ),
      );
      const failures = await fuzzConcurrently(requestCase, RUNS, async ([route, tokenIndex, refIndex, body, query]) => {
        const token = tokens[tokenIndex % tokens.length];
        const ref = encodeURIComponent(refs[refIndex % refs.length] as string);
        const search = new URLSearchParams(query).toString();
        const [method, path] = {
          create: ['POST', '/v1/support/tickets'],
          list: ['GET', `/v1/support/tickets?${search}`],
          get: ['GET', `/v1/support/tickets/${ref}?${search}`],
          patch: ['PATCH', `/v1/support/tickets/${ref}`],
          put: ['PUT', `/v1/support/tickets/${ref}`],
          comment: ['POST', `/v1/support/tickets/${ref}/comments`],
          comments: ['GET', `/v1/support/tickets/${ref}/comments?${search}`],
          history: ['GET', `/v1/support/tickets/${ref}/history?${search}`],
        }[route] as [string, string];
        const response = await api(server, method, path, { token, ...(method === 'GET' ? {} : { body }) });
        return response.status >= 500 ? `${method} ${path} ${JSON.stringify(body)} → ${response.status}` : null;
      });
      assert.deepEqual(failures, []);
    });
  });
}
