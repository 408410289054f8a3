import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decryptSecret, encryptSecret, SealedValueError, sealedKeyId } from './envelope.ts';
import { createKeyRing } from './key-ring.ts';

const keyA = Buffer.alloc(32, 7);
const keyB = Buffer.alloc(32, 8);

/** Sealed by the first format's code (before key ids), with keyA: databases hold values like this. */
const FIRST_FORMAT = 'v1:cdieTfH4RwICUofQ:Q9GeTgzgkmZal0v4x1E37w==:m3m7TTCTlGmGsder';
const FIRST_FORMAT_CONTEXT = 'webhook-secret:wh_legacy';

/** The value with one byte of its binary body flipped at `offset`. */
function flipByte(sealed: string, offset: number): string {
  const [version, keyId, body] = sealed.split(':') as [string, string, string];
  const bytes = Buffer.from(body, 'base64url');
  bytes[offset] = (bytes[offset] as number) ^ 1;
  return `${version}:${keyId}:${bytes.toString('base64url')}`;
}

const rejects = (fn: () => unknown) => assert.throws(fn, SealedValueError);

describe('envelope encryption', () => {
  const ringA = createKeyRing(keyA);

  it('round-trips, names its key and never stores the plaintext', () => {
    const sealed = encryptSecret(ringA, 'whsec_secret', 'ep_1');
    assert.ok(!sealed.includes('whsec_secret'));
    assert.equal(sealedKeyId(sealed), ringA.current.id);
    assert.equal(decryptSecret(ringA, sealed, 'ep_1'), 'whsec_secret');
    assert.notEqual(encryptSecret(ringA, 'whsec_secret', 'ep_1'), sealed, 'a fresh data key and nonce every time');
  });

  it('rejects another context and a ring without the key, naming the missing key id', () => {
    const sealed = encryptSecret(ringA, 'whsec_secret', 'ep_1');
    rejects(() => decryptSecret(ringA, sealed, 'ep_2'));
    assert.throws(
      () => decryptSecret(createKeyRing(keyB), sealed, 'ep_1'),
      new RegExp(`key ${ringA.current.id}, which is not in the key ring`),
    );
  });

  it('rejects a change to any byte: wrapped data key, nonces, tags, ciphertext', () => {
    const sealed = encryptSecret(ringA, 'whsec_secret', 'ep_1');
    const length = Buffer.from(sealed.split(':')[2] as string, 'base64url').length;
    for (let offset = 0; offset < length; offset++)
      rejects(() => decryptSecret(ringA, flipByte(sealed, offset), 'ep_1'));
  });

  it('rejects a value whose key id was changed to another key of the ring', () => {
    const ring = createKeyRing(keyA, [keyB]);
    const sealed = encryptSecret(ring, 'whsec_secret', 'ep_1');
    const other = ring.keys[1]?.id as string;
    rejects(() => decryptSecret(ring, sealed.replace(ring.current.id, other), 'ep_1'));
  });

  it('rejects truncated values and truncated authentication tags', () => {
    const sealed = encryptSecret(ringA, 'whsec_secret', 'ep_1');
    const [version, keyId, body] = sealed.split(':') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    for (const cut of [1, 4, 16, bytes.length - 1]) {
      rejects(() =>
        decryptSecret(
          ringA,
          `${version}:${keyId}:${bytes.subarray(0, bytes.length - cut).toString('base64url')}`,
          'ep_1',
        ),
      );
    }
    // GCM verifies a shortened tag unless its length is fixed: a 4-byte tag opened before.
    const [v1, nonce, tag, data] = FIRST_FORMAT.split(':') as [string, string, string, string];
    for (const kept of [12, 8, 4]) {
      const short = Buffer.from(tag, 'base64').subarray(0, kept).toString('base64');
      assert.throws(
        () => decryptSecret(ringA, [v1, nonce, short, data].join(':'), FIRST_FORMAT_CONTEXT),
        /authentication tag is \d+ bytes, not 16/,
      );
    }
  });

  it('rejects unrecognised values', () => {
    for (const value of ['', 'whsec_plain', 'v2:abc', 'v1:a:b', 'v3:a:b:c', 'v2::x'])
      rejects(() => decryptSecret(ringA, value, 'ep_1'));
  });

  it('seals under the current key and still opens values sealed under a previous one', () => {
    const sealedA = encryptSecret(ringA, 'whsec_old', 'ep_1');
    const ringB = createKeyRing(keyB, [keyA]);
    assert.equal(decryptSecret(ringB, sealedA, 'ep_1'), 'whsec_old');
    const sealedB = encryptSecret(ringB, 'whsec_new', 'ep_1');
    assert.equal(sealedKeyId(sealedB), ringB.current.id);
    assert.notEqual(ringB.current.id, ringA.current.id);
    rejects(() => decryptSecret(ringA, sealedB, 'ep_1'));
  });

  it('opens values of the first format with whichever key of the ring sealed them', () => {
    assert.equal(sealedKeyId(FIRST_FORMAT), undefined);
    assert.equal(decryptSecret(ringA, FIRST_FORMAT, FIRST_FORMAT_CONTEXT), 'whsec_legacy');
    assert.equal(decryptSecret(createKeyRing(keyB, [keyA]), FIRST_FORMAT, FIRST_FORMAT_CONTEXT), 'whsec_legacy');
    assert.throws(
      () => decryptSecret(createKeyRing(keyB), FIRST_FORMAT, FIRST_FORMAT_CONTEXT),
      /does not open with any key/,
    );
    rejects(() => decryptSecret(ringA, FIRST_FORMAT, 'webhook-secret:wh_other'));
    const [v1, nonce, tag, data] = FIRST_FORMAT.split(':') as [string, string, string, string];
    const altered = Buffer.from(data, 'base64');
    altered[0] = (altered[0] as number) ^ 1;
    rejects(() => decryptSecret(ringA, [v1, nonce, tag, altered.toString('base64')].join(':'), FIRST_FORMAT_CONTEXT));
  });
});
