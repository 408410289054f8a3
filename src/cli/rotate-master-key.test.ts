import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { decryptSecret, encryptSecret, sealedKeyId } from '../crypto/envelope.ts';
import { createKeyRing } from '../crypto/key-ring.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { rotateSealedValues, UnopenableValueError } from '../crypto/rotation.ts';
import type { RotationOptions } from '../crypto/rotation.ts';
import { SEALED_COLUMNS } from '../server/sealed-columns.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import type { EndpointId } from '../webhooks/ids.ts';
import { validSecrets } from '../webhooks/secrets.ts';
import { LOOPBACK_ENV } from '../webhooks/testing/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/securebase.js', import.meta.url));
const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const KEY_C = Buffer.alloc(32, 0xc3);

/** The sealing code of the first format (v1, before key ids), as it ran until now: existing databases hold its values. */
function sealFirstFormat(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

interface OpenedValue {
  where: string;
  keyId: string | undefined;
  plaintext: string;
}

/** Every value of every registered sealed column, opened with `ring` (throws if one does not open). */
async function openEverything(server: TestServer, ring: KeyRing): Promise<OpenedValue[]> {
  const opened: OpenedValue[] = [];
  for (const column of SEALED_COLUMNS) {
    const { rows } = await sql<Record<string, string>>`select * from ${sql.table(column.table)}
      where ${sql.ref(column.column)} is not null`.execute(server.database.db);
    for (const row of rows) {
      column.rewrite(row[column.column] as string, row, (sealed, context) => {
        opened.push({
          where: `${column.table}.${column.column}`,
          keyId: sealedKeyId(sealed),
          plaintext: decryptSecret(ring, sealed, context),
        });
        return sealed;
      });
    }
  }
  return opened.sort((a, b) => `${a.where}${a.plaintext}`.localeCompare(`${b.where}${b.plaintext}`));
}

/** The stored text of every sealed column, to show that a refused run wrote nothing. */
async function storedTexts(server: TestServer): Promise<string[]> {
  const texts: string[] = [];
  for (const column of SEALED_COLUMNS) {
    const { rows } = await sql<{
      text: string;
    }>`select ${sql.ref(column.column)} as text from ${sql.table(column.table)}`.execute(server.database.db);
    texts.push(...rows.map((row) => String(row.text)));
  }
  return texts.sort();
}

const quietly: RotationOptions = { batchSize: 2, onProgress: () => {} };

/** The command itself, in its own process, as an operator runs it. */
function rotateWithCli(server: TestServer, keys: { current: Buffer; previous: Buffer[] }) {
  const env = {
    PATH: process.env.PATH,
    LOG_LEVEL: 'warn',
    ...server.database.env,
    SECUREBASE_MASTER_KEY: keys.current.toString('hex'),
    SECUREBASE_MASTER_KEYS_PREVIOUS: keys.previous.map((key) => key.toString('base64')).join(','),
  };
  const result = spawnSync(process.execPath, [BIN, 'admin', 'rotate-master-key', '--batch-size', '2'], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, output: result.stdout + result.stderr };
}

for (const dialect of TEST_DIALECTS) {
  describe(`securebase admin rotate-master-key on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, {
        env: { ...LOOPBACK_ENV, SECUREBASE_MASTER_KEY: KEY_A.toString('hex') },
      });
    });
    after(async () => server.close());

    it('re-seals every sealed column under the new key, refusing first while a value opens with no key', async () => {
      // Values sealed under key A by the running service: signing secrets (one endpoint rotated, so two
      // in its list) and the stored idempotent responses holding them; plus one secret of the first format.
      const tenant = await createTenant(server);
      const secrets: string[] = [];
      const endpointIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const created = await request<{ webhook: { id: string }; secret: string }>(
          server.baseUrl,
          'POST',
          '/v1/webhooks',
          {
            token: tenant.apiKey,
            headers: { 'idempotency-key': `create-${i}` },
            body: {
              url: `http://127.0.0.1:9999/hook-${i}`,
              events: ['ticket.created'],
              ...(i === 0 ? { headers: { 'x-receiver-auth': 'Bearer receiver-token' } } : {}),
            },
          },
        );
        assert.equal(created.status, 201, created.text);
        secrets.push(created.body.secret);
        endpointIds.push(created.body.webhook.id);
      }
      const [first, second] = endpointIds as [EndpointId, EndpointId];
      const rotated = await request<{ secret: string }>(server.baseUrl, 'POST', `/v1/webhooks/${first}/rotate-secret`, {
        token: tenant.apiKey,
        body: {},
      });
      assert.equal(rotated.status, 200, rotated.text);
      const legacySecret = 'whsec_sealed_by_the_first_format';
      const legacy = [
        {
          sealed: sealFirstFormat(KEY_A, legacySecret, `webhook-secret:${second}`),
          created_at: new Date().toISOString(),
          expires_at: null,
        },
      ];
      await server.database.db
        .updateTable('webhook_endpoints')
        .set({ secrets: JSON.stringify(legacy) })
        .where('id', '=', second)
        .execute();

      const ringA = createKeyRing(KEY_A);
      const before = await openEverything(server, ringA);
      assert.equal(before.filter((value) => value.where === 'webhook_endpoints.secrets').length, 4);
      assert.equal(before.filter((value) => value.where === 'idempotency_keys.response_body').length, 3);
      assert.equal(before.filter((value) => value.where === 'webhook_endpoints.custom_headers').length, 1);
      assert.equal(before.filter((value) => value.keyId === undefined).length, 1, 'one value of the first format');

      // A value no key of the ring opens: the run refuses, names the row and writes nothing.
      await server.database.db
        .insertInto('idempotency_keys')
        .values({
          owner: 'orphan_owner',
          key: 'orphan-key',
          request_hash: 'h',
          state: 'done',
          response_status: 201,
          response_content_type: 'application/json',
          created_at: new Date().toISOString(),
          response_body: encryptSecret(createKeyRing(KEY_C), '{}', 'idempotency:orphan_owner:orphan-key'),
        })
        .execute();
      const untouched = await storedTexts(server);
      const ringBA = createKeyRing(KEY_B, [KEY_A]);
      await assert.rejects(
        rotateSealedValues(server.database.db, ringBA, SEALED_COLUMNS, quietly),
        (error: unknown) =>
          error instanceof UnopenableValueError &&
          /^idempotent responses: idempotency_keys row owner=orphan_owner, key=orphan-key cannot be opened with any key in the ring .*nothing was re-sealed$/.test(
            error.message,
          ),
      );
      assert.deepEqual(await storedTexts(server), untouched);
      await server.database.db.deleteFrom('idempotency_keys').where('owner', '=', 'orphan_owner').execute();

      const done = rotateWithCli(server, { current: KEY_B, previous: [KEY_A] });
      assert.equal(done.code, 0, done.output);
      const ringB = createKeyRing(KEY_B);
      assert.match(
        done.stdout,
        new RegExp(`Re-sealed ${before.length} values under key ${ringB.current.id} \\(0 already were`),
      );
      assert.match(done.stdout, /re-sealed webhook signing secrets: 3 rows, 4 values/);
      for (const secret of [
        KEY_A.toString('hex'),
        KEY_B.toString('hex'),
        KEY_B.toString('base64'),
        ...secrets,
        rotated.body.secret,
        legacySecret,
        'receiver-token',
      ]) {
        assert.ok(!done.output.includes(secret), 'no key or secret in the output');
      }

      // Key B alone opens everything, with the same plaintexts; key A opens nothing any more.
      const after = await openEverything(server, ringB);
      assert.deepEqual(
        after.map(({ where, plaintext }) => ({ where, plaintext })),
        before.map(({ where, plaintext }) => ({ where, plaintext })),
      );
      assert.ok(after.every((value) => value.keyId === ringB.current.id));
      await assert.rejects(openEverything(server, ringA));
      const endpoint = await server.database.db
        .selectFrom('webhook_endpoints')
        .select('secrets')
        .where('id', '=', first)
        .executeTakeFirstOrThrow();
      assert.deepEqual(validSecrets(ringB, first, endpoint.secrets, new Date()), [rotated.body.secret, secrets[0]]);

      // Idempotent: a second run re-seals nothing.
      const again = await rotateSealedValues(server.database.db, ringBA, SEALED_COLUMNS, quietly);
      assert.deepEqual(again, { rows: 9, resealed: 0, alreadyCurrent: before.length });
    });

    it('resumes an interrupted rotation where it stopped', async () => {
      const ringA = createKeyRing(KEY_A);
      const ringB = createKeyRing(KEY_B, [KEY_A]);
      const alreadyUnderB = (await openEverything(server, ringB)).filter(
        (value) => value.keyId === ringB.current.id,
      ).length;
      for (let i = 0; i < 5; i++) {
        const context = `idempotency:resume_owner:key-${i}`;
        await server.database.db
          .insertInto('idempotency_keys')
          .values({
            owner: 'resume_owner',
            key: `key-${i}`,
            request_hash: 'h',
            state: 'done',
            response_status: 200,
            response_content_type: 'application/json',
            created_at: new Date().toISOString(),
            response_body: encryptSecret(ringA, `{"n":${i}}`, context),
          })
          .execute();
      }
      const interruption = new Error('interrupted after the first batch');
      await assert.rejects(
        rotateSealedValues(server.database.db, ringB, SEALED_COLUMNS, {
          batchSize: 2,
          onProgress: ({ phase, resealed }) => {
            if (phase === 'reseal' && resealed > 0) throw interruption;
          },
        }),
        interruption,
      );
      const left = (await openEverything(server, ringB)).filter((value) => value.keyId === ringA.current.id).length;
      assert.ok(left > 0 && left < 5, `the batch written before the interruption stays re-sealed (${left} left)`);
      const resumed = await rotateSealedValues(server.database.db, ringB, SEALED_COLUMNS, quietly);
      assert.equal(resumed.resealed, left);
      assert.equal(resumed.alreadyCurrent, alreadyUnderB + 5 - left);
      const opened = await openEverything(server, createKeyRing(KEY_B));
      assert.ok(opened.every((value) => value.keyId === ringB.current.id));
      assert.equal(opened.filter((value) => value.plaintext.startsWith('{"n":')).length, 5);
    });
  });
}
