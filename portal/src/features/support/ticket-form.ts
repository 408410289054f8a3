import type { TicketCategory, TicketPriority } from './fields.ts';

/** The limits of `CreateTicketBody` (src/tickets/fields.ts `LIMITS`), checked after trimming like the server. */
export const TICKET_LIMITS = {
  subject: { min: 5, max: 200 },
  description: { min: 20, max: 20_000 },
} as const;

export interface TicketFormValues {
  subject: string;
  description: string;
  priority: TicketPriority;
  category: TicketCategory;
}

export type TicketFormErrors = Partial<Record<'subject' | 'description', string>>;

/** Characters as the server counts them (code points, so an emoji counts once). */
const lengthOf = (text: string): number => [...text.trim()].length;

function lengthError(label: string, text: string, { min, max }: { min: number; max: number }): string | undefined {
  const length = lengthOf(text);
  if (length === 0) return `${label} is required`;
  if (length < min) return `${label} needs at least ${min} characters (${length} so far)`;
  if (length > max) return `${label} may have at most ${max} characters (${length} now)`;
  return undefined;
}

/** The field errors of the create form; empty when the server would accept it. */
export function validateTicketForm(values: Pick<TicketFormValues, 'subject' | 'description'>): TicketFormErrors {
  const errors: TicketFormErrors = {};
  const subject = lengthError('Subject', values.subject, TICKET_LIMITS.subject);
  const description = lengthError('Description', values.description, TICKET_LIMITS.description);
  if (subject) errors.subject = subject;
  if (description) errors.description = description;
  return errors;
}
