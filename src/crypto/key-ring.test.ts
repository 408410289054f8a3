import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createKeyRing, keyIdOf, loadKeyRing } from './key-ring.ts';

describe('key ring', () => {
  it('generates a 0600 key file once for the embedded default and reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-key-'));
    const first = loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir });
    assert.equal(statSync(join(dataDir, 'master.key')).mode & 0o777, 0o600);
    assert.deepEqual(loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir }).current, first.current);
    assert.equal(first.current.key.toString('hex'), readFileSync(join(dataDir, 'master.key'), 'utf8').trim());
  });

  it('takes SECUREBASE_MASTER_KEY as current and previous keys after it, without a key file', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-key-'));
    const previous = Buffer.alloc(32, 1);
    const ring = loadKeyRing({
      masterKey: 'ab'.repeat(32),
      previousMasterKeys: [previous.toString('base64'), 'ab'.repeat(32)],
      dataDir,
    });
    assert.equal(ring.current.key.toString('hex'), 'ab'.repeat(32));
    assert.deepEqual(
      ring.keys.map((key) => key.id),
      [keyIdOf(Buffer.from('ab'.repeat(32), 'hex')), keyIdOf(previous)],
      'duplicates dropped',
    );
    assert.equal(existsSync(join(dataDir, 'master.key')), false);
  });

  it('names keys by a fingerprint that differs per key and reveals no key bytes', () => {
    const key = Buffer.alloc(32, 9);
    const ring = createKeyRing(key);
    assert.match(ring.current.id, /^[0-9a-f]{16}$/);
    assert.ok(!key.toString('hex').includes(ring.current.id));
    assert.notEqual(keyIdOf(Buffer.alloc(32, 10)), ring.current.id);
  });
});
