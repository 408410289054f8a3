// Custom resource filling two secrets the stack cannot write from the template alone:
// - SesSmtpUrl: SMTP_URL derived from the SMTP user's access key (recomputed on every update);
// - WrappedMasterKey: a fresh 256-bit data key wrapped by the KMS key, generated on create only
//   (a new key on update would strand every value sealed under the current one).
// The function never sees the plaintext master key: GenerateDataKeyWithoutPlaintext returns only
// the ciphertext, and only the task roles may decrypt it.
import { GenerateDataKeyWithoutPlaintextCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sesSmtpUrl } from './ses-smtp.mjs';

const kms = new KMSClient({});
const secrets = new SecretsManagerClient({});

export async function handler(event) {
  const props = event.ResourceProperties;
  const physicalResourceId = event.PhysicalResourceId ?? `${props.Kind}:${props.TargetSecretArn}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  if (props.Kind === 'SesSmtpUrl') {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: props.AccessKeySecretArn }));
    const { accessKeyId, secretAccessKey } = JSON.parse(SecretString);
    const url = sesSmtpUrl({ accessKeyId, secretAccessKey, region: props.SesRegion });
    await secrets.send(new PutSecretValueCommand({ SecretId: props.TargetSecretArn, SecretString: url }));
  } else if (props.Kind === 'WrappedMasterKey') {
    if (event.RequestType === 'Create') {
      const { CiphertextBlob } = await kms.send(
        new GenerateDataKeyWithoutPlaintextCommand({ KeyId: props.KeyId, KeySpec: 'AES_256' }),
      );
      const wrapped = Buffer.from(CiphertextBlob).toString('base64');
      await secrets.send(new PutSecretValueCommand({ SecretId: props.TargetSecretArn, SecretString: wrapped }));
    }
  } else {
    throw new Error(`unknown Kind ${props.Kind}`);
  }
  return { PhysicalResourceId: physicalResourceId };
}
