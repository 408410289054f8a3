// API key display and the create form's rules, apart from the page so they can be tested.

export type ApiKeyState = 'active' | 'expired' | 'revoked';

/** A key is revoked for good, expired once its expiry passed, else active. */
export function apiKeyState(key: { revoked_at: string | null; expires_at: string | null }, now: number): ApiKeyState {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && new Date(key.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

/**
 * The expiry the API is sent for a date picked in the form (`YYYY-MM-DD`): the end of that day in
 * the browser's time zone, so a key "expiring on the 5th" works all of the 5th. Null for none.
 */
export function expiryFromDate(date: string): string | null {
  if (date === '') return null;
  const [year, month, day] = date.split('-').map(Number);
  if (!year || !month || !day) return null;
  return new Date(year, month - 1, day, 23, 59, 59, 999).toISOString();
}

/** Today as `YYYY-MM-DD` in the browser's time zone (the date input's `min`). */
export function localDateInput(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export interface ApiKeyFormErrors {
  name?: string;
  expires?: string;
}

/** The create form's client-side checks, matching the server's (name 1–100 characters). */
export function validateApiKeyForm(form: { name: string; expires: string }, now: Date): ApiKeyFormErrors {
  const errors: ApiKeyFormErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'Give the key a name';
  else if (name.length > 100) errors.name = 'At most 100 characters';
  const expiry = expiryFromDate(form.expires);
  if (form.expires !== '' && expiry === null) errors.expires = 'Pick a date';
  else if (expiry !== null && new Date(expiry).getTime() <= now.getTime()) errors.expires = 'Pick a date from today on';
  return errors;
}
