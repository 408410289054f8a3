/**
 * Whether an error means the database server cannot be reached right now (stopped, restarting,
 * connection lost), as opposed to a query the server refused. Such errors are transient: callers
 * answer 503 or back off and retry instead of treating them as bugs.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE class 08: connection exception; 57P01–57P03: administrator/crash shutdown, starting up;
    // 53300: every connection slot taken (too many processes for max_connections), which passes.
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  }
  if (LOST_CONNECTION_MESSAGES.some((message) => error.message.startsWith(message))) return true;
  // Node reports a refused connection to every resolved address as one AggregateError.
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return false;
}

/**
 * Whether an error is a unique-constraint violation: two writers raced for the same key (two
 * processes creating the first admin, two requests registering one email). The loser's request
 * conflicts with a change that committed first; it is not a bug.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

// What `pg` and its pool say when a connection breaks or cannot be had in time.
const LOST_CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Connection ended unexpectedly',
];
