import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from '../testing/http.ts';
import type { Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { setupInstructions } from './setup-instructions.ts';

describe('the printed setup command', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(async () => server.close());

  it('is refused when pasted without replacing the placeholder, and works once it is replaced', async () => {
    const staff = await server.identity.createStaff({
      email: 'placeholder@securebase.test',
      name: 'Placeholder',
      role: 'agent',
    });
    const command = setupInstructions(server.baseUrl, staff.setupToken as string);
    const body = /-d '([^']+)'/.exec(command)?.[1] as string;
    const pasted = await request<Problem>(server.baseUrl, 'POST', '/v1/auth/setup', { rawBody: body });
    assert.equal(pasted.status, 400);
    assert.equal(pasted.body.errors?.[0]?.field, 'password');
    const replaced = body.replace('<password>', 'a real password of mine');
    assert.equal((await request(server.baseUrl, 'POST', '/v1/auth/setup', { rawBody: replaced })).status, 200);
  });
});
