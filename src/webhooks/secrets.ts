/**
 * The endpoint's secrets at rest. Signing secrets: each is sealed with AES-256-GCM under the
 * master key, bound to the endpoint id, and kept in a small list during rotation (newest first);
 * every secret that has not expired signs, so receivers can switch at their own pace. Custom
 * header values (often a receiver's `Authorization`) are sealed the same way, bound to the
 * endpoint and the header name; only their names are ever shown again.
 */
import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret } from '../crypto/envelope.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { sealedColumn } from '../crypto/sealed-columns.ts';
import { invalidField } from '../errors/app-error.ts';
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
const headerAad = (endpointId: string, name: string) => `webhook-header:${endpointId}:${name}`;

/** Every value this feature keeps at rest is sealed and opened here, and only here. */
function seal(keyRing: KeyRing, plaintext: string, context: string): string {
  return encryptSecret(keyRing, plaintext, context);
}

const opened = new Map<string, string>();

/**
 * Opens a sealed value. Decryptions are cached by context and sealed value (the cache holds what
 * the process needs to sign and send anyway), bounded in size.
 */
function unseal(keyRing: KeyRing, sealed: string, context: string): string {
  const key = `${context}\n${sealed}`;
  let plain = opened.get(key);
  if (plain === undefined) {
    plain = decryptSecret(keyRing, sealed, context);
    if (opened.size > 10_000) opened.clear();
    opened.set(key, plain);
  }
  return plain;
}

/** Creates a new `whsec_` secret and its sealed form for this endpoint. */
export function newSealedSecret(
  keyRing: KeyRing,
  endpointId: string,
  now: Date,
): { secret: string; stored: StoredSecret } {
  const secret = generateSecret(randomBytes);
  return {
    secret,
    stored: { sealed: seal(keyRing, secret, aad(endpointId)), created_at: now.toISOString(), expires_at: null },
  };
}

/** Parses the `secrets` column. */
export function parseSecrets(column: string): StoredSecret[] {
  return JSON.parse(column) as StoredSecret[];
}

/**
 * The list after a rotation: the new secret first; the previous ones expire after the grace
 * period (0 = at once), already-expired ones are dropped.
 */
export function rotateSecrets(
  current: readonly StoredSecret[],
  fresh: StoredSecret,
  graceSeconds: number,
  now: Date,
): StoredSecret[] {
  const until = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  const kept = current
    .map((s) => ({ ...s, expires_at: s.expires_at === null || s.expires_at > until ? until : s.expires_at }))
    .filter((s) => graceSeconds > 0 && s.expires_at > now.toISOString());
  return [fresh, ...kept].slice(0, MAX_SECRETS);
}

/** The plaintext secrets that sign at `now`, newest first. */
export function validSecrets(keyRing: KeyRing, endpointId: string, column: string, now: Date): string[] {
  const iso = now.toISOString();
  const stored = parseSecrets(column).filter((s) => s.expires_at === null || s.expires_at > iso);
  return stored.map((s) => unseal(keyRing, s.sealed, aad(endpointId)));
}

/** What a custom header value reads as after creation, to everyone. */
export const MASKED_VALUE = '[redacted]';

/** The `custom_headers` column: header name → sealed value. */
function parseHeaderColumn(column: string): Record<string, string> {
  return JSON.parse(column) as Record<string, string>;
}

/**
 * Seals validated custom headers for the `custom_headers` column. A value equal to
 * {@link MASKED_VALUE} keeps the value stored under that name in `previousColumn`, so a view read
 * and written back unchanged does not overwrite the real values with the mask.
 */
export function sealHeaders(
  keyRing: KeyRing,
  endpointId: string,
  headers: Readonly<Record<string, string>>,
  previousColumn = '{}',
): string {
  const previous = parseHeaderColumn(previousColumn);
  const column: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const kept = previous[name];
    if (value !== MASKED_VALUE) column[name] = seal(keyRing, value, headerAad(endpointId, name));
    else if (kept !== undefined) column[name] = kept;
    else throw invalidField('headers', `${name}: "${MASKED_VALUE}" keeps a stored value, and there is none`);
  }
  return JSON.stringify(column);
}

/** Seals every value as given, even one equal to the mask (the migration of plaintext rows). */
export function sealHeaderValues(
  keyRing: KeyRing,
  endpointId: string,
  headers: Readonly<Record<string, string>>,
): string {
  const entries = Object.entries(headers).map(([name, value]) => [
    name,
    seal(keyRing, value, headerAad(endpointId, name)),
  ]);
  return JSON.stringify(Object.fromEntries(entries));
}

/** The real header values, for sending. */
export function openHeaders(keyRing: KeyRing, endpointId: string, column: string): Record<string, string> {
  const entries = Object.entries(parseHeaderColumn(column));
  return Object.fromEntries(
    entries.map(([name, sealed]) => [name, unseal(keyRing, sealed, headerAad(endpointId, name))]),
  );
}

/** The headers as shown: names with masked values. */
export function maskedHeaders(column: string): Record<string, string> {
  return Object.fromEntries(Object.keys(parseHeaderColumn(column)).map((name) => [name, MASKED_VALUE]));
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

/** The `custom_headers` column for master-key rotation: each header value is sealed on its own. */
export const sealedCustomHeaders = sealedColumn({
  name: 'webhook custom headers',
  table: 'webhook_endpoints',
  column: 'custom_headers',
  rowKey: ['id'],
  rewrite: (stored, row, reseal) =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(parseHeaderColumn(stored)).map(([name, sealed]) => [
          name,
          reseal(sealed, headerAad(row.id, name)),
        ]),
      ),
    ),
});
