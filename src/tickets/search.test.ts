import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createStaffUser, createTenant } from '../testing/factories.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { api, openTicket } from './test-helpers.ts';
import type { TicketJson } from './test-helpers.ts';

type Page = { tickets: TicketJson[]; next_cursor: string | null; has_more: boolean };

/** Every ticket a search finds, following the cursor to the end. */
async function searchAll(server: TestServer, token: string, query: string): Promise<TicketJson[]> {
  const found: TicketJson[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: Page; text: string } = await api<Page>(
      server,
      'GET',
      `/v1/support/tickets?${query}${cursor ? `&cursor=${cursor}` : ''}`,
      { token },
    );
    assert.equal(page.status, 200, page.text);
    found.push(...page.body.tickets);
    cursor = page.body.next_cursor;
  } while (cursor);
  return found;
}

const idsOf = (tickets: { id: string }[]) => tickets.map((t) => t.id);

for (const dialect of TEST_DIALECTS) {
  describe(`ticket search on ${dialect}`, () => {
    let server: TestServer;
    let agent: { token: string };
    before(async () => {
      server = await startTestServer(dialect);
      agent = await createStaffUser(server, 'agent');
    });
    after(async () => {
      await server.close();
    });

    it('finds a ticket by subject, description and public comments at once, never another tenant’s', async () => {
      const tenant = await createTenant(server);
      const other = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey, {
        subject: 'Kerberos ticket renewal fails',
        description: 'The nightly batch job cannot renew its credentials on the gateway.',
      });
      await openTicket(server, other.apiKey, { subject: 'Kerberos question from elsewhere' });
      const commented = await api(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        token: tenant.apiKey,
        body: { body: 'Happens with the marmalade cluster only.' },
      });
      assert.equal(commented.status, 201);
      for (const q of ['kerberos', 'GATEWAY', 'marmalade', 'kerb*', '"renewal fails"', 'batch gateway']) {
        const found = await searchAll(server, tenant.apiKey, `q=${encodeURIComponent(q)}`);
        assert.deepEqual(idsOf(found), [ticket.id], q);
      }
      assert.deepEqual(await searchAll(server, tenant.apiKey, 'q=%22fails%20renewal%22'), [], 'phrase order counts');
      assert.deepEqual(await searchAll(server, tenant.apiKey, 'q=kerberos%20banana'), [], 'every word must match');
    });

    it('matches internal notes for staff only', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey, { subject: 'Invoice totals look wrong' });
      const note = await api(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        token: agent.token,
        body: { body: 'Customer is on the zanzibar legacy plan.', visibility: 'internal' },
      });
      assert.equal(note.status, 201);
      assert.deepEqual(await searchAll(server, tenant.apiKey, 'q=zanzibar'), []);
      assert.deepEqual(await searchAll(server, tenant.apiKey, 'q=zanzib*'), []);
      assert.deepEqual(await searchAll(server, tenant.apiKey, 'q=invoice%20zanzibar'), []);
      const staff = await searchAll(server, agent.token, `q=zanzibar&customer_id=${tenant.customerId}`);
      assert.deepEqual(idsOf(staff), [ticket.id]);
      assert.deepEqual(idsOf(await searchAll(server, agent.token, 'q=invoice%20zanzibar')), [ticket.id]);
    });

    it('combines with filters, ranks subject matches first, and pages through every match', async () => {
      const tenant = await createTenant(server);
      const inComment = await openTicket(server, tenant.apiKey, { subject: 'Something unrelated here' });
      await api(server, 'POST', `/v1/support/tickets/${inComment.id}/comments`, {
        token: tenant.apiKey,
        body: { body: 'By the way the quokka export also broke.' },
      });
      const many: string[] = [];
      for (let n = 0; n < 23; n += 1) {
        const t = await openTicket(server, tenant.apiKey, {
          subject: `Quokka export number ${n}`,
          priority: n % 2 === 0 ? 'high' : 'low',
        });
        many.push(t.id);
      }
      const ranked = await searchAll(server, tenant.apiKey, 'q=quokka&limit=5');
      assert.equal(ranked.length, 24);
      assert.equal(new Set(idsOf(ranked)).size, 24);
      assert.equal(ranked.at(-1)?.id, inComment.id, 'a comment match ranks below subject matches');

      const high = await searchAll(server, tenant.apiKey, 'q=quokka&priority=high&sort=-created_at&limit=4');
      assert.deepEqual(idsOf(high), many.filter((_, n) => n % 2 === 0).reverse());
      const resolved = await api(server, 'PATCH', `/v1/support/tickets/${many[0]}`, {
        token: agent.token,
        body: { status: 'resolved' },
      });
      assert.equal(resolved.status, 200);
      assert.deepEqual(idsOf(await searchAll(server, tenant.apiKey, 'q=quokka&status=resolved')), [many[0]]);
    });

    it('answers FTS syntax as plain words (results or 400), never a 500', async () => {
      const tenant = await createTenant(server);
      await openTicket(server, tenant.apiKey, { subject: 'Near the edge of the map' });
      const nasty = [
        '"',
        '""',
        '"unbalanced',
        '*',
        '**',
        'a*b*',
        'NEAR',
        'NEAR(a b)',
        'near/3',
        '(',
        ')',
        '((edge',
        'edge)',
        'AND',
        'OR edge',
        'NOT',
        '-edge',
        'subject:edge',
        '{subject}: edge',
        '^edge',
        "'edge'",
        '\\',
        'edge & map | !x',
        'edge <-> map',
        ':*',
        '&',
        '%',
        '_',
        'ü',
        '💥',
        '\u200b',
      ];
      for (const q of nasty) {
        for (const token of [tenant.apiKey, agent.token]) {
          const response = await api(server, 'GET', `/v1/support/tickets?q=${encodeURIComponent(q)}`, { token });
          assert.ok(response.status === 200 || response.status === 400, `${q} → ${response.status} ${response.text}`);
          if (response.status === 400) assert.match(response.text, /"field":"q"/);
        }
      }
      const near = await searchAll(server, tenant.apiKey, 'q=NEAR%28edge');
      assert.equal(near.length, 1, 'NEAR is a word');
    });

    it('treats a blank q as no search and refuses relevance without one', async () => {
      const tenant = await createTenant(server);
      await openTicket(server, tenant.apiKey);
      const blank = await api<Page>(server, 'GET', '/v1/support/tickets?q=%20', { token: tenant.apiKey });
      assert.equal(blank.status, 200);
      assert.equal(blank.body.tickets.length, 1);
      const relevance = await api(server, 'GET', '/v1/support/tickets?sort=relevance', { token: tenant.apiKey });
      assert.equal(relevance.status, 400);
      assert.match(relevance.text, /"field":"sort"/);
      const tooMany = Array.from({ length: 17 }, (_, n) => `w${n}`).join(' ');
      const long = await api(server, 'GET', `/v1/support/tickets?q=${encodeURIComponent(tooMany)}`, {
        token: tenant.apiKey,
      });
      assert.equal(long.status, 400);
    });
  });
}
