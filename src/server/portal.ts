import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';

/** The portal's production build (`npm run build` writes it); two levels up from src/server and dist/server. */
export const PORTAL_DIST = fileURLToPath(new URL('../../portal/dist/', import.meta.url));

/**
 * The portal's Content Security Policy: scripts, styles, fonts, images and API calls only from
 * this origin, no inline script, no framing. Inline *styles* are allowed because the dialog's
 * scroll lock (Radix) injects a style element; a style cannot run script.
 */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the API owns: an unknown one there is a 404 problem, never the portal's page. */
const API_PATH = /^\/(v1|docs)(\/|$)/;
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

function sendIndex(reply: FastifyReply): FastifyReply {
  // Always revalidated, so a deploy's new asset names are picked up at once.
  return reply
    .header('content-security-policy', PORTAL_CSP)
    .header('cache-control', 'no-cache')
    .sendFile('index.html', { cacheControl: false });
}

/**
 * Serves the portal at `/` beside the API: hashed files under `/assets/` cached for a year,
 * `index.html` (no-cache) for every other path that is not the API's, so client routes such as
 * `/support/42` load the app. Without a build, `/` points at the API reference instead.
 */
export async function registerPortal(app: FastifyInstance, logger: Logger, root: string = PORTAL_DIST): Promise<void> {
  if (!existsSync(`${root}index.html`)) {
    logger.warn({ root }, 'portal not built (npm run build); serving the API only');
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
      reply.redirect('/docs', 302),
    );
    return;
  }
  // Files are sent only from the routes below; `preCompressed` picks the .br/.gz the build wrote.
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true, dotfiles: 'deny' });

  app.get('/assets/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    return reply.sendFile(`assets/${file}`, { maxAge: ONE_YEAR_SECONDS * 1000, immutable: true });
  });
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (API_PATH.test(path)) return reply.callNotFound();
    const file = path.slice(1);
    // Top-level files of the build (the icon); anything else is a client route.
    if (/^[\w.-]+\.(svg|ico|png|txt|webmanifest)$/.test(file) && existsSync(`${root}${file}`)) {
      return reply.sendFile(file, { maxAge: 3600 * 1000 });
    }
    return sendIndex(reply);
  });
}
