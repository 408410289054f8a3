/** A field the server refused, as in a problem+json `errors` array. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An RFC 9457 problem answered by the API; `detail` is what the person is shown. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly detail: string;
  readonly errors: FieldProblem[];
  readonly body: Record<string, unknown>;

  constructor(status: number, body: unknown) {
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const detail =
      typeof record.detail === 'string' && record.detail !== ''
        ? record.detail
        : `The server answered ${status}${typeof record.title === 'string' ? ` ${record.title}` : ''}`;
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.detail = detail;
    this.body = record;
    this.errors = Array.isArray(record.errors) ? (record.errors as FieldProblem[]) : [];
  }

  /** The server's message for one field (its path as the API names it, e.g. `subject`). */
  fieldError(field: string): string | undefined {
    return this.errors.find((error) => error.field === field || error.field === `/${field}`)?.message;
  }
}

/** What to show for any error thrown by a query or mutation. */
export function problemDetail(error: unknown): string {
  if (error instanceof ApiProblem) return error.detail;
  if (error instanceof TypeError) return 'The server could not be reached; check your connection and try again.';
  return error instanceof Error ? error.message : String(error);
}
