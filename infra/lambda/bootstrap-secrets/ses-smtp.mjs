import { createHmac } from 'node:crypto';

/**
 * The SES SMTP password of an IAM access key in `region`: AWS's documented derivation (an SigV4
 * signature of "SendRawEmail" with the fixed date 11111111, prefixed by version byte 4, base64).
 * @param {string} secretAccessKey
 * @param {string} region
 * @returns {string}
 */
export function sesSmtpPassword(secretAccessKey, region) {
  let signature = Buffer.from(`AWS4${secretAccessKey}`, 'utf8');
  for (const part of ['11111111', region, 'ses', 'aws4_request', 'SendRawEmail']) {
    signature = createHmac('sha256', signature).update(part, 'utf8').digest();
  }
  return Buffer.concat([Buffer.from([0x04]), signature]).toString('base64');
}

/**
 * The SMTP_URL the app reads: SES's STARTTLS endpoint in `region` with the key's SMTP credentials.
 * @param {{ accessKeyId: string, secretAccessKey: string, region: string }} key
 * @returns {string}
 */
export function sesSmtpUrl({ accessKeyId, secretAccessKey, region }) {
  const password = encodeURIComponent(sesSmtpPassword(secretAccessKey, region));
  return `smtp://${encodeURIComponent(accessKeyId)}:${password}@email-smtp.${region}.amazonaws.com:587`;
}
