/**
 * Operator policy for outbound webhook traffic: what the SSRF guard lets through.
 * Secure by default (https only, public addresses only); local development and tests relax it
 * explicitly through `WEBHOOK_ALLOW_HTTP` and `WEBHOOK_ALLOW_PRIVATE_CIDRS`.
 */
import { parseCidr } from './address-guard.ts';

/** The knobs of the SSRF guard. Immutable; share one instance so parsed CIDRs stay cached. */
export interface WebhookNetworkPolicy {
  /** Permit plain `http://` targets (local development only). */
  readonly allowHttp: boolean;
  /** CIDRs (or single addresses) that are allowed although not globally routable. */
  readonly allowPrivateCidrs: readonly string[];
  /** Extra ports besides 80, 443 and the unprivileged range 1024–65535. */
  readonly allowPorts?: readonly number[];
  /** Host names exempt from the reserved-name rule (e.g. `localhost` in development). */
  readonly allowHostnames?: readonly string[];
}

/** The production default: https only, globally routable addresses only. */
export const DEFAULT_WEBHOOK_POLICY: WebhookNetworkPolicy = Object.freeze({
  allowHttp: false,
  allowPrivateCidrs: Object.freeze([]) as readonly string[],
});

/** The webhook part of the validated configuration that the SSRF guard reads. */
export interface WebhookPolicyConfig {
  allowHttp: boolean;
  allowPrivateCidrs: readonly string[];
}

/**
 * Builds the policy from the validated configuration (`config.webhooks`) so the same rules apply
 * to registration and to every delivery attempt. Throws on a malformed CIDR: a typo must fail
 * start-up, not widen access (the config loader already checks; this guards hand-made configs).
 */
export function policyFromConfig(config: WebhookPolicyConfig): WebhookNetworkPolicy {
  for (const cidr of config.allowPrivateCidrs) {
    try {
      parseCidr(cidr);
    } catch {
      throw new Error(`WEBHOOK_ALLOW_PRIVATE_CIDRS: "${cidr}" is not a CIDR or IP address`);
    }
  }
  return Object.freeze({
    allowHttp: config.allowHttp,
    allowPrivateCidrs: Object.freeze([...config.allowPrivateCidrs]),
  });
}
