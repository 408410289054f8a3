import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { PORTAL_CSP, PORTAL_DIST } from './portal.ts';

// `npm test` builds the portal first when it is stale, so the real build is what is served here.
describe('serving the portal', { skip: existsSync(`${PORTAL_DIST}index.html`) ? false : 'portal not built' }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(async () => server.close());

  it('answers the root and every client route with index.html under a strict CSP, revalidated each time', async () => {
    for (const path of ['/', '/support', '/support/SB-1001', '/settings/api-keys', '/forecast?months=6']) {
      const response = await fetch(`${server.baseUrl}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assert.equal(response.headers.get('content-security-policy'), PORTAL_CSP);
      const html = await response.text();
      assert.match(html, /<div id="root">/);
      // No inline script: every <script> has a src.
      for (const tag of html.match(/<script[^>]*>/g) ?? []) assert.match(tag, /\ssrc="/);
    }
    assert.doesNotMatch(PORTAL_CSP, /script-src[^;]*'unsafe-inline'/);
  });

  it('caches hashed assets for a year and sends them compressed when the client accepts it', async () => {
    const script = readdirSync(`${PORTAL_DIST}assets`).find((name) => /^index-.+\.js$/.test(name));
    assert.ok(script);
    const plain = await fetch(`${server.baseUrl}/assets/${script}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(plain.headers.get('content-type') ?? '', /javascript/);
    const body = await plain.text();
    const compressed = await fetch(`${server.baseUrl}/assets/${script}`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(compressed.headers.get('content-encoding'), 'br');
    // fetch decodes it: the same script either way.
    assert.equal(await compressed.text(), body);
  });

  it('leaves the API to the API: unknown /v1 paths are 404 problems, not the portal page', async () => {
    const unknown = await fetch(`${server.baseUrl}/v1/no-such-route`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /application\/problem\+json/);
    const missingAsset = await fetch(`${server.baseUrl}/assets/missing-0000.js`);
    assert.equal(missingAsset.status, 404);
    const wrongMethod = await fetch(`${server.baseUrl}/support`, { method: 'POST' });
    assert.equal(wrongMethod.status, 404);
    assert.equal((await fetch(`${server.baseUrl}/docs`)).status, 200);
  });
});
