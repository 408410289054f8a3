import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createCustomerUser, createStaffUser, createTenant } from '../../testing/factories.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';
import { api, openTicket } from '../test-helpers.ts';
import { download, filesOnDisk, PNG_BYTES, upload } from './test-helpers.ts';
import type { AttachmentJson } from './test-helpers.ts';

// Small, so the over-limit case sends little; the default (10 MiB) is the config test's business.
const MAX_BYTES = 64 * 1024;
// The start of an ELF executable: what a program renamed to .png begins with.
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 0)]);

type Ticket = { attachments: AttachmentJson[]; comments: { id: string; attachments: AttachmentJson[] }[] };

for (const dialect of TEST_DIALECTS) {
  describe(`ticket attachments on ${dialect}`, () => {
    let server: TestServer;
    let agent: { token: string };
    before(async () => {
      server = await startTestServer(dialect, { env: { ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } });
      agent = await createStaffUser(server, 'agent');
    });
    after(async () => {
      await server.close();
    });

    it('stores a file with its detected type and hash, lists it and downloads it as an attachment', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const created = await upload(server, tenant.apiKey, ticket.reference, {
        type: 'application/x-evil',
        filename: '../../etc/passwd\u0001.png',
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.content_type, 'image/png');
      assert.equal(created.body.size_bytes, PNG_BYTES.length);
      assert.equal(created.body.sha256, createHash('sha256').update(PNG_BYTES).digest('hex'));
      assert.equal(created.body.filename, 'passwd.png');
      assert.equal(created.body.comment_id, null);

      const shown = await api<Ticket>(server, 'GET', `/v1/support/tickets/${ticket.id}`, { token: tenant.apiKey });
      assert.deepEqual(
        shown.body.attachments.map((a) => a.id),
        [created.body.id],
      );
      const file = await download(server, tenant.apiKey, created.body.download_url);
      assert.equal(file.status, 200);
      assert.deepEqual(file.bytes, PNG_BYTES);
      assert.equal(file.headers.get('content-type'), 'image/png');
      assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
      assert.match(file.headers.get('content-disposition') ?? '', /^attachment; filename="passwd.png"/);
      // On disk it is named by its id alone, whatever the client called it.
      assert.ok(filesOnDisk(server).some((path) => path.endsWith(`/${created.body.id}`)));
    });

    it('labels UTF-8 text as text, CSV or JSON, and refuses binary it does not know', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const cases: [string, string, string][] = [
        ['app.log', 'line one\nline two ü\n', 'text/plain; charset=utf-8'],
        ['export.csv', 'a,b\n1,2\n', 'text/csv; charset=utf-8'],
        ['trace.json', '{"ok":true}', 'application/json'],
        ['page.html', '<script>alert(1)</script>', 'text/plain; charset=utf-8'],
      ];
      for (const [filename, text, expected] of cases) {
        const response = await upload(server, tenant.apiKey, ticket.id, {
          bytes: Buffer.from(text),
          filename,
          type: 'text/html',
        });
        assert.equal(response.status, 201, `${filename}: ${response.text}`);
        assert.equal(response.body.content_type, expected, filename);
      }
      const binary = await upload(server, tenant.apiKey, ticket.id, {
        bytes: Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00]),
        filename: 'blob.txt',
        type: 'text/plain',
      });
      assert.equal(binary.status, 415);
    });

    it('refuses bad uploads clearly and leaves nothing on disk', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const before = filesOnDisk(server).length;
      const refused = async (
        label: string,
        response: Promise<{ status: number; text: string }>,
        status: number,
        field: string,
      ) => {
        const answer = await response;
        assert.equal(answer.status, status, `${label}: ${answer.text}`);
        assert.match(answer.text, new RegExp(`"field":"${field}"`), label);
      };
      await refused(
        'over the limit',
        upload(server, tenant.apiKey, ticket.id, {
          bytes: Buffer.concat([PNG_BYTES, Buffer.alloc(MAX_BYTES)]),
        }),
        413,
        'file',
      );
      await refused(
        'executable renamed .png',
        upload(server, tenant.apiKey, ticket.id, { bytes: ELF, filename: 'cat.png', type: 'image/png' }),
        415,
        'file',
      );
      await refused('empty', upload(server, tenant.apiKey, ticket.id, { bytes: new Uint8Array(0) }), 400, 'file');
      await refused('wrong field', upload(server, tenant.apiKey, ticket.id, { field: 'document' }), 400, 'document');
      const noFile = new FormData();
      noFile.append('comment_id', '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b');
      await refused(
        'multipart without a file',
        fetch(`${server.baseUrl}/v1/support/tickets/${ticket.id}/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.apiKey}` },
          body: noFile,
        }).then(async (r) => ({ status: r.status, text: await r.text() })),
        400,
        'file',
      );
      await refused(
        'malformed multipart',
        api(server, 'POST', `/v1/support/tickets/${ticket.id}/attachments`, {
          token: tenant.apiKey,
          rawBody: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nunterminated',
          headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        }),
        400,
        'body',
      );
      await refused(
        'JSON instead of a form',
        api(server, 'POST', `/v1/support/tickets/${ticket.id}/attachments`, { token: tenant.apiKey, body: {} }),
        415,
        'file',
      );
      await refused(
        'comment_id that is not a comment',
        upload(server, tenant.apiKey, ticket.id, { commentId: 'x\u0000y' }),
        400,
        'comment_id',
      );
      const two = new FormData();
      two.append('file', new Blob([PNG_BYTES]), 'a.png');
      two.append('file', new Blob([PNG_BYTES]), 'b.png');
      await refused(
        'two files',
        fetch(`${server.baseUrl}/v1/support/tickets/${ticket.id}/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.apiKey}` },
          body: two,
        }).then(async (r) => ({ status: r.status, text: await r.text() })),
        400,
        'file',
      );
      assert.equal(filesOnDisk(server).length, before, 'no refused upload left a file behind');
      const shown = await api<Ticket>(server, 'GET', `/v1/support/tickets/${ticket.id}`, { token: tenant.apiKey });
      assert.deepEqual(shown.body.attachments, []);
    });

    it('keeps the JSON body limit and the other routes’ media types as they were', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const form = new FormData();
      form.append('body', 'A comment sent as a form');
      const comment = await fetch(`${server.baseUrl}/v1/support/tickets/${ticket.id}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.apiKey}` },
        body: form,
      });
      assert.equal(comment.status, 415, 'multipart is parsed for uploads only');
      const huge = await api(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        token: tenant.apiKey,
        rawBody: JSON.stringify({ body: 'x'.repeat(server.ctx.config.bodyLimitBytes) }),
      });
      assert.equal(huge.status, 413);
    });

    it('attaches to your own comment; files of internal notes stay with staff', async () => {
      const tenant = await createTenant(server);
      const ticket = await openTicket(server, tenant.apiKey);
      const note = await api<{ id: string }>(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        token: agent.token,
        body: { body: 'Internal: log from the gateway', visibility: 'internal' },
      });
      const reply = await api<{ id: string }>(server, 'POST', `/v1/support/tickets/${ticket.id}/comments`, {
        token: tenant.apiKey,
        body: { body: 'Here is my screenshot' },
      });
      const internal = await upload(server, agent.token, ticket.id, {
        commentId: note.body.id,
        bytes: Buffer.from('gateway log line\n'),
        filename: 'gateway.log',
      });
      assert.equal(internal.status, 201, internal.text);
      assert.equal(internal.body.visibility, 'internal');
      const mine = await upload(server, tenant.apiKey, ticket.id, { commentId: reply.body.id });
      assert.equal(mine.status, 201, mine.text);
      // A customer cannot attach to the staff's note (nor learn it exists).
      const theirs = await upload(server, tenant.apiKey, ticket.id, { commentId: note.body.id });
      assert.equal(theirs.status, 400);
      assert.match(theirs.text, /"field":"comment_id"/);

      const customerView = await api<Ticket>(server, 'GET', `/v1/support/tickets/${ticket.id}`, {
        token: tenant.apiKey,
      });
      assert.deepEqual(
        customerView.body.attachments.map((a) => a.id),
        [mine.body.id],
      );
      assert.ok(!customerView.text.includes(internal.body.id));
      const comments = await api<{ comments: { id: string; attachments: AttachmentJson[] }[] }>(
        server,
        'GET',
        `/v1/support/tickets/${ticket.id}/comments`,
        { token: tenant.apiKey },
      );
      assert.deepEqual(
        comments.body.comments.map((c) => [c.id, c.attachments.map((a) => a.id)]),
        [[reply.body.id, [mine.body.id]]],
      );
      assert.equal((await download(server, tenant.apiKey, internal.body.download_url)).status, 404);
      const staffView = await api<Ticket>(server, 'GET', `/v1/support/tickets/${ticket.id}`, { token: agent.token });
      assert.deepEqual(
        staffView.body.comments.find((c) => c.id === note.body.id)?.attachments.map((a) => a.id),
        [internal.body.id],
      );
      const staffFile = await download(server, agent.token, internal.body.download_url);
      assert.equal(staffFile.status, 200);
      assert.equal(staffFile.bytes.toString(), 'gateway log line\n');
    });

    it('answers 404 for another tenant’s attachment, exactly like a missing one', async () => {
      const owner = await createTenant(server);
      const intruder = await createTenant(server);
      const intruderUser = await createCustomerUser(server, intruder.customerId, 'admin');
      const ticket = await openTicket(server, owner.apiKey);
      const file = await upload(server, owner.apiKey, ticket.id);
      assert.equal(file.status, 201);
      const own = await openTicket(server, intruder.apiKey);
      for (const token of [intruder.apiKey, intruderUser.token]) {
        for (const url of [
          file.body.download_url,
          `/v1/support/tickets/${own.id}/attachments/${file.body.id}`,
          `/v1/support/tickets/${ticket.reference}/attachments/${file.body.id}`,
        ]) {
          const response = await download(server, token, url);
          assert.equal(response.status, 404, url);
          assert.ok(!response.bytes.includes(PNG_BYTES));
        }
      }
      for (const bad of ['..%2F..%2Fkey', 'not-a-uuid', '.%2Fx']) {
        const response = await download(server, owner.apiKey, `/v1/support/tickets/${ticket.id}/attachments/${bad}`);
        assert.equal(response.status, 404, bad);
      }
    });
  });
}
