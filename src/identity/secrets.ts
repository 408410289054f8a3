import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { assertOutsideTransaction } from '../database/transaction-guard.ts';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

/** scrypt cost parameters; stored inside every hash so they can be raised later. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's current recommendation (N=2^17, r=8, p=1): 128 MiB and ~0.3 s per hash. */
export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
// Stored hashes with a larger N are refused rather than allowed to allocate gigabytes.
const MAX_N = 2 ** 20;

/** scrypt needs 128·N·r bytes; twice that leaves room for its bookkeeping. */
const maxmemFor = (params: ScryptParams) => 2 * 128 * params.N * params.r * params.p;

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const [scheme, n, r, p, salt, hash, extra] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash || extra !== undefined) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every(Number.isSafeInteger) || params.N > MAX_N || params.r > 32 || params.p > 16)
    return null;
  return { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

/** SHA-256 hex of a high-entropy token (API keys, session and setup tokens). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A random token for sessions and setup links. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** scrypt hash in the self-describing form `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  assertOutsideTransaction('password hashing');
  const salt = randomBytes(16);
  const hash = await scryptAsync(password.normalize('NFKC'), salt, 32, { ...params, maxmem: maxmemFor(params) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time comparison of a password with a stored hash, using the parameters stored in it. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  assertOutsideTransaction('password verification');
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const actual = await scryptAsync(password.normalize('NFKC'), parsed.salt, parsed.hash.length, {
    ...parsed.params,
    maxmem: maxmemFor(parsed.params),
  });
  return timingSafeEqual(actual, parsed.hash);
}

/** True when a stored hash was made with other parameters than the current ones (rehash it at the next login). */
export function needsRehash(stored: string, params: ScryptParams = OWASP_SCRYPT): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.params.N !== params.N || parsed.params.r !== params.r || parsed.params.p !== params.p;
}

/** A hash no password matches, with the current parameters, so a login for an unknown email costs what a wrong password costs. */
export function dummyPasswordHash(params: ScryptParams = OWASP_SCRYPT): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
}

export const API_KEY_PREFIX = 'sb_live_';

/** A new API key: the plaintext (shown once), its display prefix and the SHA-256 stored. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), hash: sha256(key) };
}
