import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decryptSecret, encryptSecret, loadMasterKey } from './envelope.ts';

describe('envelope encryption', () => {
  const key = Buffer.alloc(32, 7);

  it('round-trips and never stores the plaintext', () => {
    const sealed = encryptSecret(key, 'whsec_secret', 'ep_1');
    assert.ok(!sealed.includes('whsec_secret'));
    assert.equal(decryptSecret(key, sealed, 'ep_1'), 'whsec_secret');
  });

  it('rejects another context, another key and tampering', () => {
    const sealed = encryptSecret(key, 'whsec_secret', 'ep_1');
    assert.throws(() => decryptSecret(key, sealed, 'ep_2'));
    assert.throws(() => decryptSecret(Buffer.alloc(32, 8), sealed, 'ep_1'));
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64');
    assert.throws(() => decryptSecret(key, parts.join(':'), 'ep_1'));
  });

  it('generates a 0600 key file once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-key-'));
    const first = loadMasterKey(undefined, dir);
    assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
    assert.deepEqual(loadMasterKey(undefined, dir), first);
    assert.equal(loadMasterKey('ab'.repeat(32), dir).toString('hex'), 'ab'.repeat(32));
  });
});
