/**
 * Secrets at rest (webhook signing secrets, stored idempotent responses…), by envelope
 * encryption: each value gets its own random data key; the data key is sealed under a master key
 * of the ring, whose id travels with the value so the right key opens it after a rotation.
 *
 *   v2:<key id>:<base64url of wrap nonce | wrap tag | wrapped data key | nonce | tag | ciphertext>
 *
 * Both layers are AES-256-GCM with explicit 16-byte tags and the header plus the caller's
 * `context` (e.g. the endpoint id) as associated data, so a value cannot be moved to another row.
 * Values of the first format, `v1:<nonce>:<tag>:<ciphertext>` sealed straight under the master
 * key without a key id, still open with whichever key of the ring opens them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing, MasterKey } from './key-ring.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const HEADER_BYTES = NONCE_BYTES + TAG_BYTES + DATA_KEY_BYTES + NONCE_BYTES + TAG_BYTES;

/** A sealed value that is malformed or that no key of the ring opens; the message holds no secret. */
export class SealedValueError extends Error {}

function checkTagLength(tag: Buffer): void {
  if (tag.length !== TAG_BYTES)
    throw new SealedValueError(`authentication tag is ${tag.length} bytes, not ${TAG_BYTES}`);
}

function seal(key: Buffer, plaintext: Buffer, aad: string): { nonce: Buffer; tag: Buffer; data: Buffer } {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, tag: cipher.getAuthTag(), data };
}

function open(key: Buffer, nonce: Buffer, tag: Buffer, data: Buffer, aad: string): Buffer {
  checkTagLength(tag);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new SealedValueError('does not open: another key, another context or altered');
  }
}

/** Seals `plaintext` under the ring's current key, bound to `context`. */
export function encryptSecret(ring: KeyRing, plaintext: string, context: string): string {
  const header = `v2:${ring.current.id}`;
  const aad = `${header}:${context}`;
  const dataKey = randomBytes(DATA_KEY_BYTES);
  const wrapped = seal(ring.current.key, dataKey, aad);
  const sealed = seal(dataKey, Buffer.from(plaintext, 'utf8'), aad);
  const body = Buffer.concat([wrapped.nonce, wrapped.tag, wrapped.data, sealed.nonce, sealed.tag, sealed.data]);
  return `${header}:${body.toString('base64url')}`;
}

/** The id of the master key a value is sealed under; undefined for the first format, which has none. */
export function sealedKeyId(sealed: string): string | undefined {
  return sealed.startsWith('v2:') ? sealed.split(':')[1] : undefined;
}

function openV2(ring: KeyRing, keyId: string, body: string, context: string): string {
  const master = ring.keys.find((key) => key.id === keyId);
  if (!master) throw new SealedValueError(`sealed under key ${keyId}, which is not in the key ring`);
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length < HEADER_BYTES) throw new SealedValueError('truncated sealed value');
  const aad = `v2:${keyId}:${context}`;
  let at = 0;
  const take = (length: number) => bytes.subarray(at, (at += length));
  const dataKey = open(master.key, take(NONCE_BYTES), take(TAG_BYTES), take(DATA_KEY_BYTES), aad);
  return open(dataKey, take(NONCE_BYTES), take(TAG_BYTES), bytes.subarray(at), aad).toString('utf8');
}

function openV1(keys: readonly MasterKey[], nonce: string, tag: string, data: string, context: string): string {
  const tagBytes = Buffer.from(tag, 'base64');
  checkTagLength(tagBytes);
  for (const { key } of keys) {
    try {
      const opened = open(key, Buffer.from(nonce, 'base64'), tagBytes, Buffer.from(data, 'base64'), context);
      return opened.toString('utf8');
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
    }
  }
  throw new SealedValueError('does not open with any key in the ring (first format, no key id)');
}

/** Reverses {@link encryptSecret} (and opens the first format); throws {@link SealedValueError}. */
export function decryptSecret(ring: KeyRing, sealed: string, context: string): string {
  const parts = sealed.split(':');
  if (parts[0] === 'v2' && parts.length === 3 && parts[1] && parts[2]) {
    return openV2(ring, parts[1], parts[2], context);
  }
  if (parts[0] === 'v1' && parts.length === 4 && parts[1] && parts[2] && parts[3]) {
    return openV1(ring.keys, parts[1], parts[2], parts[3], context);
  }
  throw new SealedValueError('unrecognised sealed value');
}
