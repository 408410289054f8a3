/** Signing and sending one body to an endpoint: shared by deliveries and the synchronous test send. */
import type { WebhookNetworkPolicy } from './policy.ts';
import { MASKED_VALUE } from './secrets.ts';
import { deliveryHeaders } from './signature.ts';
import type { AttemptResult, WebhookTransport } from './transport.ts';

/** Request headers as logged: signatures kept (not secret), custom header values redacted. */
export function loggedHeaders(headers: Record<string, string>, custom: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const name of Object.keys(custom)) {
    const lower = name.toLowerCase();
    if (lower in out && !lower.startsWith('webhook-') && !lower.startsWith('x-securebase-')) out[lower] = MASKED_VALUE;
  }
  return out;
}

/**
 * Signs and sends one body to an endpoint; shared by deliveries and the synchronous test route.
 * `beforeSend` runs with the signed headers before the request goes on the wire.
 */
export async function signAndSend(
  transport: WebhookTransport,
  input: {
    url: string;
    eventId: string;
    eventType: string;
    attemptId: string;
    body: string;
    secrets: string[];
    customHeaders: Record<string, string>;
    now: Date;
    policy: WebhookNetworkPolicy;
    timeoutMs: number;
    connectTimeoutMs: number;
  },
  beforeSend?: (headers: Record<string, string>) => Promise<void>,
): Promise<{ headers: Record<string, string>; result: AttemptResult }> {
  const headers = deliveryHeaders({
    eventId: input.eventId,
    eventType: input.eventType,
    attemptId: input.attemptId,
    timestampSeconds: Math.floor(input.now.getTime() / 1000),
    body: input.body,
    secrets: input.secrets,
    customHeaders: input.customHeaders,
  });
  await beforeSend?.(headers);
  const result = await transport.send({
    url: input.url,
    bodyBytes: Buffer.from(input.body, 'utf8'),
    headers,
    policy: input.policy,
    timeoutMs: input.timeoutMs,
    connectTimeoutMs: input.connectTimeoutMs,
  });
  return { headers, result };
}
