import { prefixedId } from '../../database/ids.ts';
import { newAttemptId } from '../ids.ts';
import type { EndpointId } from '../ids.ts';
import type { AuthContext } from '../../identity/auth-context.ts';
import { TEST_EVENT_TYPE } from '../catalog.ts';
import { signAndSend } from '../sign-and-send.ts';
import { openHeaders, validSecrets } from '../secrets.ts';
import { WebhookTransport } from '../transport.ts';
import { endpointOf, tenantScope } from './deps.ts';
import type { WebhookUseCaseDeps } from './deps.ts';

/**
 * Sends a `webhook.test` event now through the same signer and SSRF guard; nothing is stored.
 * Its transport is made on first use and closed with `close` (shutdown).
 */
export function sendTestEvent(deps: WebhookUseCaseDeps) {
  let transport: WebhookTransport | undefined;

  async function test(auth: AuthContext, id: EndpointId) {
    const scope = tenantScope(auth);
    const endpoint = await endpointOf(deps, scope, id);
    const now = deps.clock();
    const eventId = prefixedId('evt', now.getTime());
    const body = JSON.stringify({
      id: eventId,
      type: TEST_EVENT_TYPE,
      timestamp: now.toISOString(),
      customer_id: endpoint.customer_id,
      data: { webhook_id: endpoint.id, message: 'This is a test event from SecureBase.' },
    });
    transport ??= new WebhookTransport();
    const { result } = await signAndSend(transport, {
      url: endpoint.url,
      eventId,
      eventType: TEST_EVENT_TYPE,
      attemptId: newAttemptId(now.getTime()),
      body,
      secrets: validSecrets(deps.keyRing, endpoint.id, endpoint.secrets, now),
      customHeaders: openHeaders(deps.keyRing, endpoint.id, endpoint.custom_headers),
      now,
      policy: deps.policy,
      timeoutMs: deps.attemptTimeoutMs,
      connectTimeoutMs: deps.connectTimeoutMs,
    });
    return {
      success: result.ok,
      status_code: result.status ?? null,
      response: result.responseBody,
      duration_ms: Math.round(result.durationMs),
      error_class: result.errorClass ?? null,
      error_message: result.errorMessage ?? null,
    };
  }

  async function close(): Promise<void> {
    await transport?.close();
  }

  return { test, close };
}
