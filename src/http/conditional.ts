import type { FastifyInstance } from 'fastify';

const SAFE = new Set(['GET', 'HEAD']);

/** Entity tags of an `If-None-Match` header, without their weak prefix; `*` matches any. */
function listedTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter(Boolean);
}

/** RFC 9110 weak comparison of `If-None-Match` with the response's `ETag`. */
export function noneMatchHits(ifNoneMatch: string, etag: string): boolean {
  const current = etag.replace(/^W\//, '');
  return listedTags(ifNoneMatch).some((tag) => tag === '*' || tag === current);
}

/**
 * A GET or HEAD whose `If-None-Match` names the response's `ETag` answers 304 without a body, for
 * every route that sets an ETag (tickets set theirs from the version). Routes without an ETag are
 * left alone: the ETag is also the `If-Match` token of optimistic concurrency, so only resources
 * with a version carry one, and hashing every list body would cost each call to save bandwidth.
 */
export function registerConditionalGet(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const header = request.headers['if-none-match'];
    const etag = reply.getHeader('etag');
    if (!SAFE.has(request.method) || reply.statusCode !== 200 || typeof header !== 'string' || typeof etag !== 'string')
      return payload;
    if (!noneMatchHits(header, etag)) return payload;
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return null;
  });
}
