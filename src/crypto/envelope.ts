import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKey } from '../config/config.ts';

const VERSION = 'v1';

/**
 * The master key encrypting secrets at rest (webhook signing secrets): SECUREBASE_MASTER_KEY,
 * or for the embedded default a generated key file readable only by its owner (mode 0600).
 */
export function loadMasterKey(masterKey: string | undefined, dataDir: string): Buffer {
  if (masterKey) {
    const key = decodeKey(masterKey);
    if (!key) throw new Error('SECUREBASE_MASTER_KEY: must be 32 bytes as 64 hex characters or base64');
    return key;
  }
  const file = join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new Error(`${file}: not a 32-byte hex key`);
  return key;
}

/** AES-256-GCM with a random nonce; `context` (e.g. the endpoint id) is bound as associated data. */
export function encryptSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

/** Reverses {@link encryptSecret}; throws when the key, context or ciphertext do not match. */
export function decryptSecret(key: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, data] = sealed.split(':');
  if (version !== VERSION || !iv || !tag || !data) throw new Error('unrecognised sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
}
