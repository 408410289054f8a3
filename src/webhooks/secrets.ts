/**
 * Endpoint signing secrets at rest: each is sealed with AES-256-GCM under the master key, bound
 * to the endpoint id, and kept in a small list during rotation (newest first). Every secret that
 * has not expired signs, so receivers can switch at their own pace.
 */
import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret } from '../crypto/envelope.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { sealedColumn } from '../crypto/sealed-columns.ts';
import { generateSecret } from './signature.ts';

/** One stored secret: sealed text plus its validity. */
export interface StoredSecret {
  sealed: string;
  created_at: string;
  /** Null while current; the end of the grace period once rotated out. */
  expires_at: string | null;
}

/** Longest accepted grace period of a rotation (7 days) and the default (24 h), in seconds. */
export const MAX_GRACE_SECONDS = 7 * 86_400;
export const DEFAULT_GRACE_SECONDS = 86_400;
/** Old secrets kept at most; older ones stop signing at once. */
const MAX_SECRETS = 5;

const aad = (endpointId: string) => `webhook-secret:${endpointId}`;

/** Creates a new `whsec_` secret and its sealed form for this endpoint. */
export function newSealedSecret(keyRing: KeyRing, endpointId: string, now: Date): { secret: string; stored: StoredSecret } {
  const secret = generateSecret(randomBytes);
  return { secret, stored: { sealed: encryptSecret(keyRing, secret, aad(endpointId)), created_at: now.toISOString(), expires_at: null } };
}

/** Parses the `secrets` column. */
export function parseSecrets(column: string): StoredSecret[] {
  return JSON.parse(column) as StoredSecret[];
}

/**
 * The list after a rotation: the new secret first; the previous ones expire after the grace
 * period (0 = at once), already-expired ones are dropped.
 */
export function rotateSecrets(current: readonly StoredSecret[], fresh: StoredSecret, graceSeconds: number, now: Date): StoredSecret[] {
  const until = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  const kept = current
    .map((s) => ({ ...s, expires_at: s.expires_at === null || s.expires_at > until ? until : s.expires_at }))
    .filter((s) => graceSeconds > 0 && s.expires_at > now.toISOString());
  return [fresh, ...kept].slice(0, MAX_SECRETS);
}

const cache = new Map<string, string[]>();

/**
 * The plaintext secrets that sign at `now`, newest first. Decryptions are cached by sealed value
 * (the cache holds what the process needs to sign anyway), bounded in size.
 */
export function validSecrets(keyRing: KeyRing, endpointId: string, column: string, now: Date): string[] {
  const iso = now.toISOString();
  const stored = parseSecrets(column).filter((s) => s.expires_at === null || s.expires_at > iso);
  return stored.map((s) => {
    const key = `${endpointId}\n${s.sealed}`;
    let plain = cache.get(key);
    if (!plain) {
      plain = [decryptSecret(keyRing, s.sealed, aad(endpointId))];
      if (cache.size > 10_000) cache.clear();
      cache.set(key, plain);
    }
    return plain[0] as string;
  });
}

/** The `secrets` column for master-key rotation: every secret of the list, expired or not. */
export const sealedSigningSecrets = sealedColumn({
  name: 'webhook signing secrets',
  table: 'webhook_endpoints',
  column: 'secrets',
  rowKey: ['id'],
  rewrite: (stored, row, reseal) =>
    JSON.stringify(parseSecrets(stored).map((s) => ({ ...s, sealed: reseal(s.sealed, aad(row.id)) }))),
});
