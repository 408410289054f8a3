import { AppError, invalidField } from '../errors/app-error.ts';

/**
 * What @fastify/multipart's own errors mean to the client of an upload route: the file over its
 * limit is `tooLarge`, too many files or fields name the field, a failing disk (ENOSPC, EACCES…)
 * stays the server's problem, anything else of the parser's is a malformed body.
 */
export function multipartProblem(error: unknown, tooLarge: () => AppError): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
  if (code === 'FST_FILES_LIMIT') return invalidField('file', 'only one file per upload');
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') return invalidField('body', 'has too many fields');
  if ((error as { syscall?: unknown }).syscall !== undefined) return error;
  return invalidField('body', 'is not a valid multipart/form-data body');
}
