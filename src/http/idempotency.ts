import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../config/clock.ts';
import type { Database } from '../database/schema.ts';
import { decryptSecret, encryptSecret } from '../crypto/envelope.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { sealedColumn } from '../crypto/sealed-columns.ts';
import { AppError, invalidField } from '../errors/app-error.ts';

const WINDOW_MS = 24 * 3600_000;

const responseContext = (owner: string, key: string) => `idempotency:${owner}:${key}`;

/** The stored responses for master-key rotation. */
export const sealedIdempotentResponses = sealedColumn({
  name: 'idempotent responses',
  table: 'idempotency_keys',
  column: 'response_body',
  rowKey: ['owner', 'key'],
  rewrite: (stored, row, reseal) => reseal(stored, responseContext(row.owner, row.key)),
});

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { owner: string; key: string };
  }
}

/**
 * `Idempotency-Key` on POST: the same key and body within 24 h replays the first response, a
 * different body is 422, and a duplicate that arrives while the first is running is 409.
 */
export function registerIdempotency(
  app: FastifyInstance,
  db: Kysely<Database>,
  clock: Clock,
  keyRing: KeyRing,
  ownerOf: (request: FastifyRequest) => string | undefined,
): void {
  // Stored responses may hold a secret shown once (a new API key): they are kept encrypted.
  const seal = (body: string, owner: string, key: string) => encryptSecret(keyRing, body, responseContext(owner, key));
  const unseal = (body: string, owner: string, key: string) => decryptSecret(keyRing, body, responseContext(owner, key));
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    const owner = ownerOf(request);
    if (header === undefined || owner === undefined) return;
    const key = Array.isArray(header) ? header[0] ?? '' : header;
    if (key.length < 1 || key.length > 255) throw invalidField('idempotency-key', 'must be 1–255 characters');
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    const now = clock();
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({ owner, key, request_hash: requestHash, state: 'in_progress', response_status: null, response_body: null, response_content_type: null, created_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['owner', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
      request.idempotency = { owner, key };
      return;
    }
    const existing = await db.selectFrom('idempotency_keys').selectAll().where('owner', '=', owner).where('key', '=', key).executeTakeFirst();
    if (!existing || now.getTime() - Date.parse(existing.created_at) > WINDOW_MS) {
      await db.deleteFrom('idempotency_keys').where('owner', '=', owner).where('key', '=', key).execute();
      request.idempotency = { owner, key };
      await db.insertInto('idempotency_keys').values({ owner, key, request_hash: requestHash, state: 'in_progress', response_status: null, response_body: null, response_content_type: null, created_at: now.toISOString() }).execute();
      return;
    }
    if (existing.request_hash !== requestHash) {
      throw new AppError('unprocessable', 'This Idempotency-Key was used with a different request', { errors: [{ field: 'idempotency-key', message: 'was used with a different request' }] });
    }
    if (existing.state === 'in_progress') throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed');
    return reply
      .code(existing.response_status ?? 200)
      .header('idempotent-replayed', 'true')
      .type(existing.response_content_type ?? 'application/json')
      .send(existing.response_body === null ? null : unseal(existing.response_body, owner, key));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await db.deleteFrom('idempotency_keys').where('owner', '=', idem.owner).where('key', '=', idem.key).execute();
      return payload;
    }
    await db
      .updateTable('idempotency_keys')
      .set({ state: 'done', response_status: reply.statusCode, response_body: seal(payload, idem.owner, idem.key), response_content_type: String(reply.getHeader('content-type') ?? 'application/json') })
      .where('owner', '=', idem.owner)
      .where('key', '=', idem.key)
      .execute();
    return payload;
  });
}
