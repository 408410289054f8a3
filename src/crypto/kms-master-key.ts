import type { KMSClient } from '@aws-sdk/client-kms';
import { ConfigError } from '../config/config.ts';
import type { Config } from '../config/config.ts';

/**
 * The configuration with SECUREBASE_MASTER_KEY_WRAPPED unwrapped by KMS into `masterKey` (hex), or
 * unchanged when no wrapped key is configured. One Decrypt call at start; the plaintext is never
 * logged, and a refusal is a configuration error naming the variable, not the ciphertext.
 * The client defaults to the SDK's own configuration (task role, AWS_REGION, AWS_ENDPOINT_URL_KMS).
 */
export async function unwrapMasterKey<C extends Pick<Config, 'masterKey' | 'wrappedMasterKey'>>(
  config: C,
  client?: KMSClient,
): Promise<C> {
  const wrapped = config.wrappedMasterKey;
  if (!wrapped) return config;
  // Loaded only here: deployments without KMS never pay for the SDK at start.
  const { DecryptCommand, KMSClient } = await import('@aws-sdk/client-kms');
  const kms = client ?? new KMSClient({});
  let plaintext: Uint8Array | undefined;
  try {
    const answer = await kms.send(
      new DecryptCommand({
        KeyId: wrapped.kmsKeyId,
        CiphertextBlob: Buffer.from(wrapped.ciphertext, 'base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      }),
    );
    plaintext = answer.Plaintext;
  } catch (error) {
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ConfigError(
      'SECUREBASE_MASTER_KEY_WRAPPED',
      `KMS did not unwrap it with SECUREBASE_KMS_KEY_ID ${wrapped.kmsKeyId} (${cause})`,
    );
  } finally {
    if (!client) kms.destroy();
  }
  // The stack wraps a data key of KeySpec AES_256: 32 raw bytes, the key itself.
  if (plaintext?.length !== 32)
    throw new ConfigError('SECUREBASE_MASTER_KEY_WRAPPED', 'KMS unwrapped it, but it is not a 32-byte key');
  return { ...config, masterKey: Buffer.from(plaintext).toString('hex'), wrappedMasterKey: undefined };
}
