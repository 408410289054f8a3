/**
 * Standard Webhooks signing (https://www.standardwebhooks.com), pure: no clock, no global RNG.
 *
 * The signature covers the exact body bytes that go on the wire (`{id}.{timestamp}.{body}`), so a
 * receiver verifying the raw body always agrees with us — the seed signed a re-serialised body
 * nobody could verify. During secret rotation every valid secret signs, space-separated, and the
 * receiver accepts the message if any one matches the secret it holds.
 */
import { createHmac } from 'node:crypto';

/** Prefix of every secret in the Standard Webhooks format. */
export const SECRET_PREFIX = 'whsec_';

/** Bytes of key material in a generated secret (HMAC-SHA256 block-safe, as Svix does). */
export const SECRET_BYTES = 32;

/** Value of the `user-agent` header on every delivery. */
export const WEBHOOK_USER_AGENT = 'SecureBase-Webhooks/1.0';

/**
 * Creates a new endpoint secret, `whsec_` + base64 of 32 random bytes. The random source is
 * injected (pass `crypto.randomBytes` in production) so tests can be deterministic.
 */
export function generateSecret(randomBytes: (size: number) => Uint8Array): string {
  const bytes = randomBytes(SECRET_BYTES);
  if (bytes.length !== SECRET_BYTES) throw new Error(`randomBytes must return ${SECRET_BYTES} bytes`);
  return SECRET_PREFIX + Buffer.from(bytes).toString('base64');
}

/**
 * Decodes a secret into its HMAC key (base64 after the `whsec_` prefix). Throws on a malformed
 * secret: that is a storage bug, and signing with a wrong key would silently fail verification.
 */
export function decodeSecret(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('webhook secret must start with whsec_');
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new Error('webhook secret is not valid base64');
  }
  const key = Buffer.from(b64, 'base64');
  if (key.length < 24 || key.length > 64) throw new Error('webhook secret must hold 24 to 64 bytes');
  return key;
}

/** The signed content: `{msgId}.{timestamp}.` followed by the body bytes, byte for byte. */
function signedContent(msgId: string, timestampSeconds: number, body: Buffer | string): Buffer {
  const head = Buffer.from(`${msgId}.${timestampSeconds}.`, 'utf8');
  return Buffer.concat([head, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** One `v1,<base64>` signature for one secret. */
export function signOne(secret: string, msgId: string, timestampSeconds: number, body: Buffer | string): string {
  assertSignable(msgId, timestampSeconds);
  const mac = createHmac('sha256', decodeSecret(secret)).update(signedContent(msgId, timestampSeconds, body));
  return `v1,${mac.digest('base64')}`;
}

function assertSignable(msgId: string, timestampSeconds: number): void {
  if (msgId.length === 0 || /[\s.]/.test(msgId))
    throw new Error('webhook message id must be non-empty without spaces or dots');
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new Error('webhook timestamp must be a non-negative integer of Unix seconds');
  }
}

/**
 * The `webhook-signature` header value: one `v1,<base64>` per secret, space-separated, in the
 * order given (newest first by convention). At least one secret is required.
 */
export function signatureHeader(
  secrets: readonly string[],
  msgId: string,
  timestampSeconds: number,
  bodyBytes: Buffer | string,
): string {
  if (secrets.length === 0) throw new Error('at least one webhook secret is required to sign');
  const body = typeof bodyBytes === 'string' ? Buffer.from(bodyBytes, 'utf8') : bodyBytes;
  return secrets.map((s) => signOne(s, msgId, timestampSeconds, body)).join(' ');
}

/** Everything needed to build the headers of one delivery attempt. */
export interface DeliveryHeaderInput {
  /** Event id (`evt_…`): stable across attempts, the receiver's idempotency key. */
  eventId: string;
  eventType: string;
  /** Attempt id, for `x-securebase-delivery` and support conversations. */
  attemptId: string;
  /** Unix seconds of THIS attempt: retries are re-signed so they pass receivers' tolerance. */
  timestampSeconds: number;
  body: Buffer | string;
  secrets: readonly string[];
  /** Endpoint-configured headers; ours win on conflict. */
  customHeaders?: Readonly<Record<string, string>>;
}

/**
 * Headers of one attempt, per the spec: the three Standard Webhooks headers plus content type,
 * user agent, event type and attempt id. Secret-free except for the signatures themselves.
 */
export function deliveryHeaders(input: DeliveryHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.customHeaders ?? {})) headers[name.toLowerCase()] = value;
  return Object.assign(headers, {
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
    'webhook-id': input.eventId,
    'webhook-timestamp': String(input.timestampSeconds),
    'webhook-signature': signatureHeader(input.secrets, input.eventId, input.timestampSeconds, input.body),
    'x-securebase-event': input.eventType,
    'x-securebase-delivery': input.attemptId,
  });
}
