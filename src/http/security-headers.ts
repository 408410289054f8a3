import type { FastifyInstance } from 'fastify';

/**
 * The security headers of every response: helmet 8's defaults without its Content Security
 * Policy (the portal sets its own on its pages). Fixed values set by one hook: building helmet's
 * middleware anew for every request cost more than the rest of a request's hooks together.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const ENTRIES = Object.entries(SECURITY_HEADERS);

/** Sets {@link SECURITY_HEADERS} on every response, before any route or error handler runs. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of ENTRIES) reply.raw.setHeader(name, value);
    done();
  });
}
