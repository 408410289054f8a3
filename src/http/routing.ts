import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem.ts';

/** A registered route's URL pattern as a matcher for concrete request paths. */
function patternOf(url: string): RegExp {
  const source = url
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.+?^${}()|[\]\\*]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * Unknown paths answer 404; a known path asked with a method it does not have answers 405 with
 * `Allow` listing the methods it has (RFC 9110), so a client sees its mistake is the method.
 * Catch-all routes (`*`, CORS preflight) say nothing about which paths exist and are left out.
 */
export function registerRouteNotFound(app: FastifyInstance): void {
  const routes: Array<{ methods: string[]; pattern: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url === '/*') return;
    routes.push({ methods: [route.method].flat(), pattern: patternOf(route.url) });
  });
  const allowedMethods = (path: string): string[] => {
    const allowed = new Set<string>();
    for (const route of routes) if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method);
    return [...allowed].sort();
  };
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = allowedMethods(path);
    // A route that has the method and still found nothing (a missing static file) is a plain 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        405,
        'method_not_allowed',
        `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
      );
    }
    return sendProblem(reply, 404, 'not_found', `No route ${request.method} ${path}`);
  });
}
