/**
 * TLS with DNS pinning: the socket goes to the vetted IP while SNI, the certificate check and the
 * Host header keep the webhook's host name. Uses a throwaway certificate made with `openssl`
 * (skipped when the binary is missing).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookTransport } from './transport.ts';
import type { LookupAll } from './transport.ts';
import type { WebhookNetworkPolicy } from './policy.ts';

const POLICY: WebhookNetworkPolicy = { allowHttp: false, allowPrivateCidrs: ['127.0.0.0/8'] };
const lookup: LookupAll = async (host) => {
  if (host === 'hook.test' || host === 'other.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

function makeCert(dir: string): { key: Buffer; cert: Buffer } | null {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=hook.test',
        '-addext',
        'subjectAltName=DNS:hook.test',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return null;
  }
}

describe('TLS delivery to a pinned address', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
  const material = makeCert(dir);
  let server: Server;
  let port = 0;
  const seen: Array<{ servername: string | false | null; host: string | undefined }> = [];

  before(async () => {
    if (!material) return;
    server = createServer(material, (req, res) => {
      seen.push({ servername: (req.socket as TLSSocket).servername, host: req.headers.host });
      req.resume();
      req.on('end', () => res.end('secure ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (!material) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it(
    'keeps SNI and Host as the name while connecting to the vetted IP',
    { skip: !material && 'openssl unavailable' },
    async () => {
      const t = new WebhookTransport({ lookup, tls: { ca: material?.cert } });
      const r = await t.send({ url: `https://hook.test:${port}/in`, bodyBytes: '{}', headers: {}, policy: POLICY });
      await t.close();
      assert.equal(r.ok, true, r.errorMessage);
      assert.equal(r.responseBody, 'secure ok');
      assert.equal(r.remoteAddress, '127.0.0.1');
      assert.deepEqual(seen.at(-1), { servername: 'hook.test', host: `hook.test:${port}` });
    },
  );

  it(
    'checks the certificate against the name, not the IP → tls',
    { skip: !material && 'openssl unavailable' },
    async () => {
      const t = new WebhookTransport({ lookup, tls: { ca: material?.cert } });
      const r = await t.send({ url: `https://other.test:${port}/in`, bodyBytes: '{}', headers: {}, policy: POLICY });
      await t.close();
      assert.deepEqual([r.ok, r.errorClass], [false, 'tls']);
      assert.match(r.errorMessage ?? '', /ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);
    },
  );

  it('an untrusted certificate → tls', { skip: !material && 'openssl unavailable' }, async () => {
    const t = new WebhookTransport({ lookup });
    const r = await t.send({ url: `https://hook.test:${port}/in`, bodyBytes: '{}', headers: {}, policy: POLICY });
    await t.close();
    assert.deepEqual([r.ok, r.errorClass], [false, 'tls']);
  });

  it('plain http to a TLS port fails without hanging', { skip: !material && 'openssl unavailable' }, async () => {
    const t = new WebhookTransport({ lookup });
    const r = await t.send({
      url: `http://hook.test:${port}/in`,
      bodyBytes: '{}',
      headers: {},
      timeoutMs: 30_000,
      policy: { ...POLICY, allowHttp: true },
    });
    await t.close();
    assert.equal(r.ok, false);
    // It fails on the protocol, not by running into the deadline.
    assert.notEqual(r.errorClass, 'timeout');
  });
});
