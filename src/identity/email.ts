import { fullFormats } from 'ajv-formats/dist/formats.js';

// The rule the API's `format: email` applies (ajv-formats, full mode), so every entry point agrees.
const EMAIL = fullFormats.email as RegExp;
const MAX_EMAIL_LENGTH = 254;

/** Emails are compared case-insensitively and without surrounding blanks. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** True for an address the API would accept. */
export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email);
}
