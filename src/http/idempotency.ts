import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../config/clock.ts';
import { decryptSecret, encryptSecret } from '../crypto/envelope.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { sealedColumn } from '../crypto/sealed-columns.ts';
import type { Database } from '../database/schema.ts';
import { runIntercepting } from '../database/transaction-interceptor.ts';
import type { TransactionInterceptor } from '../database/transaction-interceptor.ts';
import { AppError, invalidField } from '../errors/app-error.ts';
import type { IdempotencyKeysTable } from './tables.ts';

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

/** One transaction's result as recorded: `{}` stands for `undefined`, which JSON cannot hold. */
type Recorded = { value?: unknown };

/** The idempotent POST in flight: its key and the results of its committed transactions so far. */
interface KeyInFlight {
  owner: string;
  key: string;
  requestHash: string;
  createdAt: string;
  /** Results recorded by earlier attempts, handed back instead of running those transactions again. */
  replayed: Recorded[];
  /** Results of this request's transactions (replayed ones included), in order. */
  results: Recorded[];
  /** True once a row for the key is committed (by this request's first transaction or an earlier attempt). */
  stored: boolean;
  /** True once the response is on its way: later transactions (background work) are not the request's. */
  answered: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: KeyInFlight;
  }
}

function conflict(): AppError {
  return new AppError('conflict', 'A request with this Idempotency-Key is still being processed');
}

/**
 * `Idempotency-Key` on POST: the same key and body within 24 h replays the first response, a
 * different body is 422, and a duplicate that arrives while the first is running is 409.
 *
 * The key is recorded inside the request's own transactions, never before them: every transaction
 * the handler starts (through the database's transaction interceptor) ends by writing the key and
 * the transaction's sealed result, and commits with the change or not at all. So a crash before the
 * commit leaves no trace and a retry runs afresh; a duplicate racing the first finds the key taken
 * when it writes it (PostgreSQL waits for the first to commit) and rolls back with 409. After the
 * commit the HTTP response replaces the recorded results. If the process dies in between, a retry
 * runs the handler again with each recorded transaction answering its recorded result instead of
 * running, and so rebuilds the same response without repeating the change.
 */
export function registerIdempotency(
  app: FastifyInstance,
  db: Kysely<Database>,
  clock: Clock,
  keyRing: KeyRing,
  ownerOf: (request: FastifyRequest) => string | undefined,
): void {
  // Stored responses may hold a secret shown once (a new API key): they are kept encrypted.
  const seal = (text: string, idem: KeyInFlight) => encryptSecret(keyRing, text, responseContext(idem.owner, idem.key));
  const unseal = (text: string, idem: Pick<KeyInFlight, 'owner' | 'key'>) =>
    decryptSecret(keyRing, text, responseContext(idem.owner, idem.key));

  /** Writes the key with the results so far as the last statement of a business transaction. */
  async function recordIn(trx: Transaction<Database>, idem: KeyInFlight, results: Recorded[]): Promise<void> {
    const body = seal(JSON.stringify(results), idem);
    if (idem.stored) {
      await trx
        .updateTable('idempotency_keys')
        .set({ response_body: body })
        .where('owner', '=', idem.owner)
        .where('key', '=', idem.key)
        .execute();
      return;
    }
    const inserted = await trx
      .insertInto('idempotency_keys')
      .values({
        owner: idem.owner,
        key: idem.key,
        request_hash: idem.requestHash,
        state: 'committed',
        response_status: null,
        response_body: body,
        response_content_type: null,
        created_at: idem.createdAt,
      })
      .onConflict((oc) => oc.columns(['owner', 'key']).doNothing())
      .executeTakeFirst();
    // Another request with this key committed first: this one's change rolls back with the throw.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) throw conflict();
  }

  const interceptorFor =
    (idem: KeyInFlight): TransactionInterceptor =>
    async (work, execute) => {
      if (idem.answered) return execute(work);
      const index = idem.results.length;
      const replayed = idem.replayed[index];
      if (replayed) {
        idem.results.push(replayed);
        return replayed.value as never;
      }
      let recorded: Recorded | null = null;
      const value = await execute(async (trx) => {
        const result = await work(trx);
        const json = JSON.stringify(result) as string | undefined;
        // A result JSON cannot carry (a marker such as "stale, try again") comes from a transaction
        // that changed nothing by contract: it takes no place in the record, so a replay skips it.
        if (json === undefined && result !== undefined) return result;
        recorded = json === undefined ? {} : { value: JSON.parse(json) as unknown };
        await recordIn(trx as unknown as Transaction<Database>, idem, [...idem.results, recorded]);
        return result;
      });
      if (recorded !== null) {
        idem.results.push(recorded);
        idem.stored = true;
      }
      return value;
    };

  /**
   * Looks the key up: `answered` when the stored response was replayed, the key in flight when the
   * handler is to run under it, null when the request carries no key (422 is thrown).
   */
  async function claim(request: FastifyRequest, reply: FastifyReply): Promise<KeyInFlight | 'answered' | null> {
    if (request.method !== 'POST') return null;
    const header = request.headers['idempotency-key'];
    const owner = ownerOf(request);
    if (header === undefined || owner === undefined) return null;
    const key = Array.isArray(header) ? (header[0] ?? '') : header;
    if (key.length < 1 || key.length > 255) throw invalidField('idempotency-key', 'must be 1–255 characters');
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const now = clock();
    const idem: KeyInFlight = {
      owner,
      key,
      requestHash,
      createdAt: now.toISOString(),
      replayed: [],
      results: [],
      stored: false,
      answered: false,
    };
    const existing = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('owner', '=', owner)
      .where('key', '=', key)
      .executeTakeFirst();
    if (existing && (now.getTime() - Date.parse(existing.created_at) > WINDOW_MS || existing.state === 'in_progress')) {
      // Expired, or left by a version that claimed keys before the work: the key is free again.
      await db
        .deleteFrom('idempotency_keys')
        .where('owner', '=', owner)
        .where('key', '=', key)
        .where('created_at', '=', existing.created_at)
        .execute();
    } else if (existing) {
      if (existing.request_hash !== requestHash) {
        throw new AppError('unprocessable', 'This Idempotency-Key was used with a different request', {
          errors: [{ field: 'idempotency-key', message: 'was used with a different request' }],
        });
      }
      reply.header('idempotent-replayed', 'true');
      if (existing.state === 'done') {
        replayResponse(reply, existing, idem);
        return 'answered';
      }
      idem.replayed =
        existing.response_body === null ? [] : (JSON.parse(unseal(existing.response_body, idem)) as Recorded[]);
      idem.createdAt = existing.created_at;
      idem.stored = true;
    }
    request.idempotency = idem;
    return idem;
  }

  function replayResponse(
    reply: FastifyReply,
    row: IdempotencyKeysTable,
    idem: Pick<KeyInFlight, 'owner' | 'key'>,
  ): FastifyReply {
    return reply
      .code(row.response_status ?? 200)
      .type(row.response_content_type ?? 'application/json')
      .send(row.response_body === null ? null : unseal(row.response_body, idem));
  }

  app.addHook('preHandler', (request, reply, done) => {
    claim(request, reply).then(
      (idem) => {
        if (idem === 'answered') return;
        // The handler runs inside the interceptor, so its transactions record the key.
        if (idem) runIntercepting(interceptorFor(idem), done);
        else done();
      },
      (error: unknown) => done(error as Error),
    );
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = undefined;
    idem.answered = true;
    // A failure is not replayed: the retry runs again (recorded transactions are not repeated).
    if (reply.statusCode >= 500 || typeof payload !== 'string') return payload;
    const response = {
      state: 'done' as const,
      response_status: reply.statusCode,
      response_body: seal(payload, idem),
      response_content_type: String(reply.getHeader('content-type') ?? 'application/json'),
    };
    try {
      if (idem.stored) {
        await db
          .updateTable('idempotency_keys')
          .set(response)
          .where('owner', '=', idem.owner)
          .where('key', '=', idem.key)
          .execute();
      } else {
        await db
          .insertInto('idempotency_keys')
          .values({
            owner: idem.owner,
            key: idem.key,
            request_hash: idem.requestHash,
            created_at: idem.createdAt,
            ...response,
          })
          .onConflict((oc) => oc.columns(['owner', 'key']).doNothing())
          .execute();
      }
    } catch (error) {
      // The change is committed and its results recorded: the caller gets its answer, a retry rebuilds it.
      request.log.error({ err: error }, 'could not store the idempotent response');
    }
    return payload;
  });
}
