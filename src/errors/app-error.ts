/** A field that failed validation, as it appears in a problem+json `errors` array. */
export interface FieldError {
  field: string;
  message: string;
}

/** Stable error codes and the HTTP status each maps to; the one vocabulary for every feature. */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The single error type thrown by services and routes. The HTTP error handler turns it into
 * RFC 9457 problem details; anything else becomes an empty 500 with a request id.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { errors?: FieldError[]; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** 404 for a missing resource, and equally for another tenant's. */
export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}

/** 400 naming the field. */
export function invalidField(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field} ${message}`, { errors: [{ field, message }] });
}

export function forbidden(message = 'Your role does not allow this action'): AppError {
  return new AppError('forbidden', message);
}

export function unauthenticated(message = 'Missing or invalid credentials'): AppError {
  return new AppError('unauthenticated', message, { headers: { 'www-authenticate': 'Bearer' } });
}
