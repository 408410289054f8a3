import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KMSClient } from '@aws-sdk/client-kms';
import { ConfigError, loadConfig } from '../config/config.ts';
import { runCli } from '../testing/cli.ts';
import { decryptSecret, encryptSecret } from './envelope.ts';
import { createKeyRing, loadKeyRing } from './key-ring.ts';
import { unwrapMasterKey } from './kms-master-key.ts';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0b1d2c3a-1111-2222-3333-444455556666';
const plaintextKey = randomBytes(32);
const ciphertext = randomBytes(120).toString('base64');

interface SeenRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A loopback endpoint speaking KMS's JSON protocol for Decrypt; answers AccessDenied when told to. */
let server: Server;
let endpoint: string;
let deny = false;
const seen: SeenRequest[] = [];

before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen.push({ headers: request.headers, body: JSON.parse(body) as Record<string, unknown> });
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (deny) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized to perform kms:Decrypt' }),
        );
      } else {
        response.end(
          JSON.stringify({
            KeyId: KEY_ARN,
            Plaintext: plaintextKey.toString('base64'),
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const kmsClient = () =>
  new KMSClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });

const wrappedConfig = (dataDir = '/nonexistent') =>
  loadConfig({
    SECUREBASE_DATA_DIR: dataDir,
    SECUREBASE_MASTER_KEY_WRAPPED: ciphertext,
    SECUREBASE_KMS_KEY_ID: KEY_ARN,
  });

test('the wrapped master key is unwrapped by a signed KMS Decrypt and opens what the key sealed', async () => {
  deny = false;
  seen.length = 0;
  const config = await unwrapMasterKey(wrappedConfig(), kmsClient());

  assert.equal(seen.length, 1);
  const [request] = seen as [SeenRequest];
  assert.equal(request.headers['x-amz-target'], 'TrentService.Decrypt');
  assert.match(
    String(request.headers.authorization),
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/kms\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
  );
  assert.deepEqual(request.body, {
    KeyId: KEY_ARN,
    CiphertextBlob: ciphertext,
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  });

  assert.equal(config.wrappedMasterKey, undefined);
  const sealed = encryptSecret(createKeyRing(plaintextKey), 'whsec_example', 'webhook:1');
  assert.equal(decryptSecret(loadKeyRing(config), sealed, 'webhook:1'), 'whsec_example');
});

test('a KMS refusal is a configuration error naming the variable, without the ciphertext or key', async () => {
  deny = true;
  await assert.rejects(unwrapMasterKey(wrappedConfig(), kmsClient()), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.variable, 'SECUREBASE_MASTER_KEY_WRAPPED');
    assert.match(error.message, /AccessDeniedException/);
    assert.ok(!error.message.includes(ciphertext));
    assert.ok(!error.message.includes(plaintextKey.toString('hex')));
    return true;
  });
});

test('the wrapped key and SECUREBASE_MASTER_KEY together, or without a KMS key id, are refused', () => {
  assert.throws(
    () =>
      loadConfig({
        SECUREBASE_MASTER_KEY: 'ab'.repeat(32),
        SECUREBASE_MASTER_KEY_WRAPPED: ciphertext,
        SECUREBASE_KMS_KEY_ID: KEY_ARN,
      }),
    (error: unknown) => error instanceof ConfigError && error.variable === 'SECUREBASE_MASTER_KEY_WRAPPED',
  );
  assert.throws(
    () => loadConfig({ SECUREBASE_MASTER_KEY_WRAPPED: ciphertext }),
    /SECUREBASE_MASTER_KEY_WRAPPED: needs SECUREBASE_KMS_KEY_ID/,
  );
});

test('without a wrapped key the configuration is used as it is, without calling KMS', async () => {
  seen.length = 0;
  const config = loadConfig({ SECUREBASE_MASTER_KEY: 'ab'.repeat(32) });
  assert.equal(await unwrapMasterKey(config, kmsClient()), config);
  assert.equal(seen.length, 0);
});

test('`securebase migrate` unwraps through the SDK defaults, and stops on a refusal naming the variable', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'securebase-kms-'));
  const env = {
    SECUREBASE_DATA_DIR: dataDir,
    SECUREBASE_MASTER_KEY_WRAPPED: ciphertext,
    SECUREBASE_KMS_KEY_ID: KEY_ARN,
    AWS_ENDPOINT_URL_KMS: endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_MAX_ATTEMPTS: '1',
  };
  try {
    deny = false;
    seen.length = 0;
    const unwrapped = await runCli(['migrate'], env);
    assert.equal(unwrapped.code, 0, unwrapped.stderr);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.headers['x-amz-target'], 'TrentService.Decrypt');
    assert.match(String(seen[0]?.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);

    deny = true;
    const refused = await runCli(['migrate'], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /SECUREBASE_MASTER_KEY_WRAPPED: KMS did not unwrap it .*AccessDeniedException/);
    assert.ok(!refused.stderr.includes(ciphertext) && !refused.stdout.includes(ciphertext));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
