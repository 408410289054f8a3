import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, isUniqueViolation } from '../database/availability.ts';
import { AppError } from '../errors/app-error.ts';
import type { FieldError } from '../errors/app-error.ts';
import { fieldErrors } from './validation.ts';

const PROBLEM_TYPE_BASE = 'https://docs.securebase.io/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Seconds a client is asked to wait while the database is away (a restart takes about this long). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Logs the first outage error at once and then one summary per interval, so an outage is not a log flood. */
function throttledOutageLog(intervalMs: number): (request: FastifyRequest, error: Error) => void {
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  return (request, error) => {
    const now = Date.now();
    if (now - lastLoggedAt < intervalMs) {
      suppressed += 1;
      return;
    }
    request.log.warn({ error: error.message, suppressed }, 'database unavailable; answering 503');
    lastLoggedAt = now;
    suppressed = 0;
  };
}

/** Sends RFC 9457 problem details. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extra: { errors?: FieldError[] | undefined; fields?: Record<string, unknown> | undefined } = {},
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: PROBLEM_TYPE_BASE + code,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...extra.fields,
      request_id: reply.request.id,
    });
}

// Fastify's own 4xx errors, re-worded so no library message reaches a client.
const FRAMEWORK_ERRORS: Record<string, { code: string; detail: string; field?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload_too_large',
    detail: 'The request body is larger than the limit',
    field: 'body',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    detail: 'Send the body as application/json',
    field: 'content-type',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'validation_failed', detail: 'The JSON body is empty', field: 'body' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'validation_failed',
    detail: 'Content-Length does not match the body',
    field: 'body',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'validation_failed', detail: 'The body is not valid JSON', field: 'body' },
};

/** The one place where errors become HTTP responses. Unknown errors: empty 500, logged with context. */
export function registerErrorHandling(app: FastifyInstance): void {
  const logOutage = throttledOutageLog(10_000);
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(error.details.headers ?? {})) reply.header(name, value);
      return sendProblem(reply, error.status, error.code, error.message, {
        errors: error.details.errors,
        fields: error.details.extra,
      });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const part = fastifyError.validationContext ?? 'body';
      const errors = fieldErrors(fastifyError.validation as never, part);
      const first = errors[0];
      return sendProblem(
        reply,
        400,
        'validation_failed',
        first ? `${first.field} ${first.message}` : 'The request is invalid',
        { errors },
      );
    }
    const known = fastifyError.code ? FRAMEWORK_ERRORS[fastifyError.code] : undefined;
    if (known) {
      const status = fastifyError.statusCode ?? 400;
      return sendProblem(reply, status, known.code, known.detail, {
        errors: known.field ? [{ field: known.field, message: known.detail }] : undefined,
      });
    }
    if (fastifyError.name === 'SyntaxError' || fastifyError.code?.startsWith('FST_ERR_CTP')) {
      return sendProblem(reply, 400, 'validation_failed', 'The body is not valid JSON', {
        errors: [{ field: 'body', message: 'is not valid JSON' }],
      });
    }
    const status = fastifyError.statusCode;
    if (status && status >= 400 && status < 500) {
      return sendProblem(reply, status, 'bad_request', TITLES[status] ?? 'The request was rejected');
    }
    if (isDatabaseUnavailable(error)) {
      logOutage(request, error);
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendProblem(reply, 503, 'database_unavailable', 'The database is unavailable; retry after a few seconds');
    }
    if (isUniqueViolation(error)) {
      return sendProblem(
        reply,
        409,
        'conflict',
        'A concurrent request changed the same record first; retry the request',
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      500,
      'internal',
      'Something went wrong on our side; quote the request id when reporting it',
    );
  });
}
