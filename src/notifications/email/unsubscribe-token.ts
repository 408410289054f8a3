/**
 * One-click unsubscribe tokens: `<payload>.<mac>` in base64url, the payload naming the user, the
 * types and the expiry, the MAC an HMAC-SHA256 under a key derived (HKDF) from the master key with
 * a purpose label of its own, so the token key is useless for anything else. Every key of the ring
 * verifies, so links in emails sent before a key rotation keep working until they expire.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../../crypto/key-ring.ts';
import type { UserId } from '../../identity/tables.ts';
import { NOTIFICATION_TYPES } from '../model.ts';
import type { NotificationType } from '../model.ts';

/** How long a link in an email keeps working. */
export const UNSUBSCRIBE_TOKEN_TTL_MS = 60 * 24 * 3_600_000;

const PURPOSE = 'securebase notifications unsubscribe v1';

/** What a valid token says. */
export interface UnsubscribeClaim {
  userId: UserId;
  types: NotificationType[];
  expiresAt: Date;
}

interface Payload {
  u: string;
  t: string[];
  e: number;
}

const derived = new WeakMap<Buffer, Buffer>();

function tokenKey(master: Buffer): Buffer {
  let key = derived.get(master);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), PURPOSE, 32));
    derived.set(master, key);
  }
  return key;
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();

/** A token unsubscribing `userId` from `types`, valid until `now + ttlMs`. */
export function signUnsubscribeToken(
  keyRing: KeyRing,
  claim: { userId: UserId; types: readonly NotificationType[] },
  now: Date,
  ttlMs = UNSUBSCRIBE_TOKEN_TTL_MS,
): string {
  const payload: Payload = { u: claim.userId, t: [...claim.types], e: Math.floor((now.getTime() + ttlMs) / 1000) };
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${mac(tokenKey(keyRing.current.key), encoded).toString('base64url')}`;
}

/** Why a token was refused. */
export type TokenRefusal = 'malformed' | 'forged' | 'expired';

/** The claim of a genuine, unexpired token, or why it is refused. */
export function verifyUnsubscribeToken(
  keyRing: KeyRing,
  token: string,
  now: Date,
): { ok: true; claim: UnsubscribeClaim } | { ok: false; reason: TokenRefusal } {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || token.length > 2048) return { ok: false, reason: 'malformed' };
  const [encoded, signature] = parts as [string, string];
  const given = Buffer.from(signature, 'base64url');
  const genuine = keyRing.keys.some((master) => {
    const expected = mac(tokenKey(master.key), encoded);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!genuine) return { ok: false, reason: 'forged' };
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Payload;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const types = Array.isArray(payload.t) ? payload.t : [];
  if (
    typeof payload.u !== 'string' ||
    typeof payload.e !== 'number' ||
    types.length === 0 ||
    !types.every((type) => (NOTIFICATION_TYPES as readonly string[]).includes(type))
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claim: { userId: payload.u as UserId, types: types as NotificationType[], expiresAt: new Date(payload.e * 1000) },
  };
}
